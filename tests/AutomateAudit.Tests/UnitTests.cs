using System;
using System.Linq;
using System.Net;
using AutomateAudit.Engine;
using AutomateAudit.Storage;

namespace AutomateAudit.Tests
{
    public class ConnectionSettingsTests
    {
        [Fact]
        public void DescriptionNamesTheServerButNeverThePassword()
        {
            var settings = ConnectionSettings.FromParts("automate.example", 3306, null, new NetworkCredential("audit", "S3cret!pw"), null);
            Assert.Equal("audit@automate.example:3306/labtech", settings.Describe());
            Assert.DoesNotContain("S3cret", settings.ToString());
        }

        [Fact]
        public void ABrokenConnectionStringIsRejectedWithoutEchoingIt()
        {
            var ex = Assert.Throws<ArgumentException>(() => ConnectionSettings.FromConnectionString("Server=x;Password=S3cret!pw;Bogus Key=1"));
            Assert.DoesNotContain("S3cret", ex.Message);
        }

        [Fact]
        public void AConnectionStringWithoutAServerIsRejected()
        {
            Assert.Throws<ArgumentException>(() => ConnectionSettings.FromConnectionString("Database=labtech"));
        }
    }

    public class SchemaPlanTests
    {
        [Fact]
        public void AMissingTableIsCreatedWhole()
        {
            var plan = SchemaStore.PlanTable(ConnectionAuditTables.Audit, new string[0], new string[0]);
            Assert.False(plan.Exists);
            Assert.StartsWith("CREATE TABLE IF NOT EXISTS `pvl_automate_connection_audit`", plan.Statements.Single());
        }

        [Fact]
        public void AProValTableGainsOnlyWhatItLacks()
        {
            var existing = new[] { "computerid", "state", "lastcontact", "datacollectiontime" }
                .Select(c => ("pvl_automate_connection_audit", c, "")).ToList();
            var plan = SchemaStore.PlanTable(ConnectionAuditTables.Audit, existing.Select(e => e.Item2).ToList(), new string[0]);
            // Columns first; the indexes in a statement of their own, which runs after the rows are adopted.
            Assert.Equal(2, plan.Statements.Count);
            string ddl = plan.Statements[0];
            Assert.Same(plan.Statements[1], plan.IndexStatement);
            Assert.Contains("ADD KEY `ix_aa_audit_computer_changes` (`computerid`, `effective_utc`, `state`, `removed`)", plan.IndexStatement);
            Assert.DoesNotContain("DROP", plan.IndexStatement);
            Assert.DoesNotContain("ADD COLUMN", plan.IndexStatement);
            Assert.DoesNotContain("ADD KEY", ddl);
            Assert.Contains("ADD COLUMN `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT FIRST", ddl);
            Assert.Contains("ADD PRIMARY KEY (`id`)", ddl);
            Assert.Contains("ADD COLUMN `effective_utc`", ddl);
            Assert.DoesNotContain("ADD COLUMN `computerid`", ddl);
            Assert.DoesNotContain("DROP", ddl);
            Assert.DoesNotContain("MODIFY", ddl);
        }

        [Fact]
        public void AnIndexOfAnEarlierSchemaIsDroppedOnceTheOneThatSupersedesItIsBuilt()
        {
            var spec = ConnectionAuditTables.Audit;
            var schema2 = new[] { "PRIMARY", "ix_aa_audit_computer_effective", "ix_aa_audit_effective", "ix_aa_audit_run" };
            var plan = SchemaStore.PlanTable(spec, spec.Columns.Select(c => c.Name).ToList(), schema2);
            Assert.Equal(new[] { plan.IndexStatement }, plan.Statements);
            Assert.Equal("ALTER TABLE `pvl_automate_connection_audit`\n" +
                "  ADD KEY `ix_aa_audit_computer_changes` (`computerid`, `effective_utc`, `state`, `removed`),\n" +
                "  ADD KEY `ix_aa_audit_effective_changes` (`effective_utc`, `computerid`, `state`, `removed`),\n" +
                "  DROP INDEX `ix_aa_audit_computer_effective`,\n  DROP INDEX `ix_aa_audit_effective`", plan.IndexStatement);
            Assert.Contains("dropped superseded indexes ix_aa_audit_computer_effective, ix_aa_audit_effective", plan.Summary);
            // Installed already with the new ones (or by hand without the old ones): nothing to do.
            Assert.Empty(SchemaStore.PlanTable(spec, spec.Columns.Select(c => c.Name).ToList(), new[] { "PRIMARY", "ix_aa_audit_computer_changes", "ix_aa_audit_effective_changes", "ix_aa_audit_run" }).Statements);
        }

        [Fact]
        public void AnUpToDateTableNeedsNothing()
        {
            var spec = ConnectionAuditTables.State;
            var plan = SchemaStore.PlanTable(spec, spec.Columns.Select(c => c.Name).ToList(), new[] { "PRIMARY" });
            Assert.Empty(plan.Statements);
        }
    }

    public class FilterTests
    {
        [Theory]
        [InlineData("Acme*", "Acme%")]
        [InlineData("A?me", "A_me")]
        [InlineData("100%_done", "100\\%\\_done")]
        [InlineData("literal`*star", "literal*star")]
        public void WildcardsBecomeEscapedLikePatterns(string wildcard, string like)
        {
            Assert.Equal(like, ComputerFilter.WildcardToLike(wildcard));
        }

        [Theory]
        [InlineData("Microsoft Windows Server 2022", "", 2048, "Virtual Server")]
        [InlineData("Microsoft Windows Server 2022", "", 0, "Physical Server")]
        [InlineData("Microsoft Windows 11 Pro", "Portable", 0, "Laptop")]
        [InlineData("Microsoft Windows 11 Pro", "Desktop", 2048, "Desktop")]
        public void FormFactorFollowsTheProValRules(string os, string biosFlash, long flags, string expected)
        {
            Assert.Equal(expected, ReportComputers.FormFactor(os, biosFlash, flags));
        }
    }
}
