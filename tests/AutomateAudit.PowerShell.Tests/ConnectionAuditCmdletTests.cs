using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Dapper;

namespace AutomateAudit.PowerShell.Tests
{
    public class ConnectionAuditCmdletTests : IClassFixture<SeededFleet>
    {
        private readonly SeededFleet _fleet;

        public ConnectionAuditCmdletTests(SeededFleet fleet) { _fleet = fleet; }

        private System.Collections.ObjectModel.Collection<PSObject> Run(string script, params (string, object)[] variables) =>
            _fleet.Ps.Run(script, variables.Concat(new[] { ("cs", (object)_fleet.ConnectionString) }).ToArray());

        private static T P<T>(PSObject o, string name) => (T)o.Properties[name].Value;

        /// <summary>
        /// The first computers the simulated fleet had in Automate through the whole seeded span. Which agents are added
        /// or removed in it depends on the time of day the fleet was seeded, so fixed ComputerIDs are not always there.
        /// </summary>
        private int[] PresentThroughout(int count) =>
            _fleet.Simulator.Agents.Where(a => a.ExistsAt(DateTime.UtcNow.AddDays(-3)) && a.ExistsAt(DateTime.UtcNow))
                .Select(a => a.ComputerId).OrderBy(id => id).Take(count).ToArray();

        [Fact]
        public void UpdateRecordsANewComputerAndItsOutageAndWhatIfWritesNothing()
        {
            _fleet.Connection.Execute("INSERT INTO computers (ComputerID, ClientID, LocationID, Name, LastContact) VALUES (9001, 1, 1, 'NEWPC', NOW() - INTERVAL 8 MINUTE)");
            var first = Run("Update-ConnectionAudit -ConnectionString $cs -PassThru").Where(c => P<int>(c, "ComputerId") == 9001).Single();
            Assert.Equal("Online", P<string>(first, "State"));
            Assert.Equal("FirstSeen", first.Properties["Kind"].Value.ToString());

            // No check-in since: with -OfflineAfter 5 it is offline now, from its last contact on.
            long rows = _fleet.Connection.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit");
            long runs = _fleet.Connection.QuerySingle<long>("SELECT COUNT(*) FROM aa_run_log");
            Assert.Empty(Run("Update-ConnectionAudit -ConnectionString $cs -OfflineAfter 5 -WhatIf -PassThru"));
            Assert.Equal(rows, _fleet.Connection.QuerySingle<long>("SELECT COUNT(*) FROM pvl_automate_connection_audit"));
            Assert.Equal(runs, _fleet.Connection.QuerySingle<long>("SELECT COUNT(*) FROM aa_run_log"));

            var offline = Run("Update-ConnectionAudit -ConnectionString $cs -OfflineAfter 5 -PassThru").Single(c => P<int>(c, "ComputerId") == 9001);
            Assert.Equal("Offline", P<string>(offline, "State"));
            var lastContact = _fleet.Connection.QuerySingle<DateTime>("SELECT CONVERT_TZ(LastContact, @@session.time_zone, '+00:00') FROM computers WHERE ComputerID = 9001");
            Assert.Equal(lastContact, P<DateTime>(offline, "EffectiveUtc"));
        }

        [Fact]
        public void TheDefaultReportHasEveryComputerWithWindowsThatAddUp()
        {
            var rows = Run("Get-ConnectionReport -ConnectionString $cs");
            long computers = _fleet.Connection.QuerySingle<long>("SELECT COUNT(*) FROM computers");
            Assert.Equal(computers, rows.Count);
            foreach (PSObject row in rows)
            {
                Assert.Equal(1440, P<int>(row, "Online24hMinutes") + P<int>(row, "Offline24hMinutes") + P<int>(row, "Unknown24hMinutes"));
                Assert.Equal(7 * 1440, P<int>(row, "Online7dMinutes") + P<int>(row, "Offline7dMinutes") + P<int>(row, "Unknown7dMinutes"));
                Assert.Equal(30 * 1440, P<int>(row, "Online30dMinutes") + P<int>(row, "Offline30dMinutes") + P<int>(row, "Unknown30dMinutes"));
                // Only three days were recorded: the 30-day figure says so instead of guessing.
                Assert.InRange(P<int>(row, "Observed30dMinutes"), 0, 3 * 1440 + 30);
                Assert.Equal(P<int>(row, "Online30dMinutes") + P<int>(row, "Offline30dMinutes"), P<int>(row, "Observed30dMinutes"));
                if (P<int>(row, "Observed24hMinutes") > 0)
                    Assert.InRange(P<double?>(row, "Online24hPercent").Value + P<double?>(row, "Offline24hPercent").Value, 99.98, 100.02);
                Assert.Matches(@"^(\d+day )?\d+hr \d+min$", P<string>(row, "Online7d"));
                Assert.Contains(P<string>(row, "FormFactor"), new[] { "Physical Server", "Virtual Server", "Laptop", "Desktop" });
                // Flat scalar properties: what Export-Csv and ConvertTo-Html turn into clean columns.
                foreach (PSPropertyInfo property in row.Properties)
                {
                    object value = property.Value;
                    Assert.True(value == null || value is string || value.GetType().IsPrimitive || value is DateTime || value is decimal,
                        property.Name + " is " + value?.GetType());
                }
            }
        }

        [Fact]
        public void FiltersWorkAsParametersAndFromThePipeline()
        {
            var acme = Run("Get-ConnectionReport -ConnectionString $cs -Client 'Client 00[1]*','Client 002'");
            Assert.NotEmpty(acme);
            Assert.All(acme, r => Assert.Equal("Client 002", P<string>(r, "Client")));
            var wildcard = Run("Get-ConnectionReport -ConnectionString $cs -Client '*001'");
            Assert.NotEmpty(wildcard);
            Assert.NotEmpty(wildcard);
            Assert.All(wildcard, r => Assert.Equal("Client 001", P<string>(r, "Client")));

            int[] two = PresentThroughout(2);
            var piped = Run("$ids | ForEach-Object { [pscustomobject]@{ ComputerId = $_ } } | Get-ConnectionReport -ConnectionString $cs", ("ids", two));
            Assert.Equal(two, piped.Select(r => P<int>(r, "ComputerId")).OrderBy(i => i));

            var offline = Run("Get-ConnectionReport -ConnectionString $cs | Where-Object Status -eq 'Offline'");
            long expected = _fleet.Connection.QuerySingle<long>("SELECT COUNT(*) FROM computers WHERE LastContact <= NOW() - INTERVAL 15 MINUTE OR LastContact IS NULL");
            Assert.Equal(expected, offline.Count);
        }

        [Fact]
        public void AnyWindowAddsUpAndHistoryTilesIt()
        {
            DateTime serverNow = _fleet.Connection.QuerySingle<DateTime>("SELECT NOW()");
            int[] two = PresentThroughout(2);
            var window = Run("$end = $now.Date; Get-ConnectionReport -ConnectionString $cs -Start $end.AddDays(-1) -End $end -ComputerId $ids", ("now", serverNow), ("ids", two));
            Assert.Equal(2, window.Count);
            foreach (PSObject row in window)
            {
                int total = P<int>(row, "WindowMinutes");
                Assert.InRange(total, 1380, 1500);
                Assert.Equal(total, P<int>(row, "OnlineMinutes") + P<int>(row, "OfflineMinutes") + P<int>(row, "UnknownMinutes"));
            }

            var periods = Run("Get-ConnectionHistory -ConnectionString $cs -ComputerId $id -Start $now.AddDays(-2)", ("now", serverNow), ("id", two[0]));
            Assert.NotEmpty(periods);
            for (int i = 1; i < periods.Count; i++)
            {
                Assert.Equal(P<DateTime>(periods[i - 1], "EndUtc"), P<DateTime>(periods[i], "StartUtc"));
                Assert.NotEqual(P<string>(periods[i - 1], "State"), P<string>(periods[i], "State"));
            }
            double minutes = periods.Sum(p => P<double>(p, "DurationMinutes"));
            Assert.InRange(minutes, 2 * 1440 - 1, 2 * 1440 + 61);

            var outages = Run("Get-ConnectionReport -ConnectionString $cs -Client 'Client 003' | Get-ConnectionHistory -ConnectionString $cs -State Offline -MinimumMinutes 20");
            Assert.NotEmpty(outages);
            Assert.All(outages, o => Assert.Equal("Offline", P<string>(o, "State")));
            Assert.All(outages, o => Assert.Equal("Client 003", P<string>(o, "Client")));
            Assert.All(outages, o => Assert.True(P<double>(o, "DurationMinutes") >= 20));
        }

        [Fact]
        public void RollupBackfillsDaysAndTheReportAgreesWithTheRawHistory()
        {
            var before = Run("Get-ConnectionReport -ConnectionString $cs").ToDictionary(r => P<int>(r, "ComputerId"));
            var days = Run("Invoke-DailyRollup -ConnectionString $cs -PassThru");
            Assert.InRange(days.Count, 2, 4);
            Assert.All(days, d => Assert.Equal(P<int>(d, "DayMinutes") * (long)P<int>(d, "Computers"),
                P<long>(d, "OnlineMinutes") + P<long>(d, "OfflineMinutes") + P<long>(d, "UnknownMinutes")));
            Assert.Empty(Run("Invoke-DailyRollup -ConnectionString $cs -PassThru"));

            string checksum = "CHECKSUM TABLE pvl_automate_connection_audit_daily";
            long sum = _fleet.Connection.QuerySingle<(string, long)>(checksum).Item2;
            var again = Run("Invoke-DailyRollup -ConnectionString $cs -Day $day -PassThru", ("day", P<DateTime>(days[0], "Day")));
            Assert.Equal("Replaced", P<string>(Assert.Single(again), "Action"));
            Assert.Equal(sum, _fleet.Connection.QuerySingle<(string, long)>(checksum).Item2);

            // Whole days now come from the daily table: the 7-day figures must not move.
            var after = Run("Get-ConnectionReport -ConnectionString $cs").ToDictionary(r => P<int>(r, "ComputerId"));
            foreach (var (id, row) in after)
            {
                if (!before.ContainsKey(id)) continue;
                Assert.InRange(P<int>(row, "Online7dMinutes") - P<int>(before[id], "Online7dMinutes"), -2, 2);
                Assert.InRange(P<int>(row, "Offline7dMinutes") - P<int>(before[id], "Offline7dMinutes"), -2, 2);
            }
        }
    }
}
