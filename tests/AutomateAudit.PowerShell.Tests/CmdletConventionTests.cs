using System;
using System.Linq;
using System.Management.Automation;
using Dapper;

namespace AutomateAudit.PowerShell.Tests
{
    /// <summary>ShouldProcess, validation before connecting, and errors for filters that name nothing, in the real engine.</summary>
    public class CmdletConventionTests : IClassFixture<SeededFleet>
    {
        private readonly SeededFleet _fleet;

        public CmdletConventionTests(SeededFleet fleet) { _fleet = fleet; }

        private static int Count(System.Collections.Generic.IEnumerable<PSObject> verbose, string text) =>
            verbose.Count(v => v.ToString().Contains(text));

        [Fact]
        public void ConfirmFalseRunsTheChangeQueryOnceAndWhatIfOnlyPreviews()
        {
            var script = "Update-ConnectionAudit -ConnectionString $cs {0} -Verbose 4>&1 | Where-Object {{ $_ -is [System.Management.Automation.VerboseRecord] }} | ForEach-Object Message";
            var confirmed = _fleet.Ps.Run(string.Format(script, "-Confirm:$false"), ("cs", _fleet.ConnectionString));
            Assert.Equal(1, Count(confirmed, "INSERT INTO aa_tmp_changes"));
            Assert.Equal(0, Count(confirmed, "ORDER BY ComputerId") - Count(confirmed, "FROM aa_tmp_changes ORDER BY ComputerId"));

            long rows = _fleet.Connection.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit");
            _fleet.Connection.Execute("UPDATE computers SET LastContact = NOW() - INTERVAL 3 HOUR WHERE ComputerID = (SELECT MIN(ComputerID) FROM aa_connection_state WHERE state = 1)");
            _fleet.Ps.Run("Update-ConnectionAudit -ConnectionString $cs -WhatIf", ("cs", _fleet.ConnectionString));
            Assert.Equal(rows, _fleet.Connection.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit"));
            var confirmedAgain = _fleet.Ps.Run(string.Format(script, "-Confirm:$false"), ("cs", _fleet.ConnectionString));
            Assert.Equal(1, Count(confirmedAgain, "INSERT INTO aa_tmp_changes"));
            Assert.True(_fleet.Connection.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit") > rows);
        }

        [Fact]
        public void ClientAndLocationNamesTabCompleteFromTheDatabaseWhenDefaultsSayWhichOne()
        {
            using var ps = new PsSession();
            string complete = "(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText";
            string line = "Get-ConnectionReport -Client 'Client 00";
            Assert.Empty(ps.Run(complete, ("line", line))); // no database named: nothing, and no hang
            ps.Run("$PSDefaultParameterValues['*:ConnectionString'] = $cs", ("cs", _fleet.ConnectionString));
            var clients = ps.Run(complete, ("line", line)).Select(o => o.ToString()).ToList();
            Assert.Equal(5, clients.Count);
            Assert.Equal("'Client 001'", clients[0]);
            var expected = _fleet.Connection.Query<string>("SELECT DISTINCT Name FROM locations WHERE Name LIKE 'Site%' ORDER BY Name LIMIT 50").ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, ps.Run(complete, ("line", "Get-UserSessionReport -Location Site")).Select(o => o.ToString().Trim('\'')).ToList());
        }

        [Fact]
        public void AnInvertedWindowIsRejectedBeforeAnyConnection()
        {
            using var ps = new PsSession();
            foreach (string command in new[] { "Get-ConnectionReport -Start '2026-11-02' -End '2026-11-01'", "Get-ConnectionHistory -Start '2026-11-02' -End '2026-11-01'" })
            {
                var (_, errors) = ps.TryRun(command + " -Server 127.0.0.1 -Port 1");
                var error = Assert.Single(errors);
                Assert.Equal("InvalidWindow", error.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Contains("-End", error.Exception.Message);
            }
        }

        [Fact]
        public void FilterValuesThatNameNothingWriteNonTerminatingErrors()
        {
            var (output, errors) = _fleet.Ps.TryRun("Get-ConnectionReport -ConnectionString $cs -ComputerId 1,999999", ("cs", _fleet.ConnectionString));
            Assert.Equal(1, Assert.Single(output).Properties["ComputerId"].Value);
            var error = Assert.Single(errors);
            Assert.StartsWith("ComputerNotFound", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Contains("999999", error.Exception.Message);

            (output, errors) = _fleet.Ps.TryRun("Get-ConnectionReport -ConnectionString $cs -Client 'Nobody Inc','Client 001'", ("cs", _fleet.ConnectionString));
            Assert.NotEmpty(output);
            Assert.StartsWith("ClientNotFound", Assert.Single(errors).FullyQualifiedErrorId);

            // A wildcard that matches nothing, and a pipeline between the cmdlets, stay quiet.
            (output, errors) = _fleet.Ps.TryRun("Get-ConnectionReport -ConnectionString $cs -Client 'Nobody*'", ("cs", _fleet.ConnectionString));
            Assert.Empty(output);
            Assert.Empty(errors);
            (output, errors) = _fleet.Ps.TryRun("Get-ConnectionReport -ConnectionString $cs -Client 'Client 002' | Get-ConnectionHistory -ConnectionString $cs", ("cs", _fleet.ConnectionString));
            Assert.NotEmpty(output);
            Assert.Empty(errors);
        }
    }
}
