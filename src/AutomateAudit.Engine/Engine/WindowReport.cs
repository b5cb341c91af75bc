using System;
using System.Collections.Generic;

namespace AutomateAudit.Engine
{
    /// <summary>Get-ConnectionReport -Start/-End: one row per computer for any window (server local times).</summary>
    internal sealed class WindowReport
    {
        private readonly ServerClock _clock;
        private readonly ReportComputers _computers;
        private readonly WindowAccounting _accounting;

        public WindowReport(ServerClock clock, ReportComputers computers, WindowAccounting accounting)
        {
            _clock = clock;
            _computers = computers;
            _accounting = accounting;
        }

        public IEnumerable<ConnectionWindowRow> Rows(ComputerFilter filter, DateTime startLocal, DateTime? end)
        {
            DateTime endLocal = end ?? _clock.NowLocal;
            if (endLocal <= startLocal) throw new ArgumentException("-End must be later than -Start.");
            DateTime[] utc = _clock.ToUtc(startLocal, endLocal);
            _clock.CoverSpan(utc[0], utc[1]);
            foreach (ComputerTotals c in _accounting.Compute(filter, new[] { new Interval(utc[0], utc[1]) }))
            {
                var row = _computers.Fill(new ConnectionWindowRow { WindowStart = startLocal, WindowEnd = endLocal }, c.Computer);
                WindowFigures f = WindowFigures.Of(c.Totals[0]);
                row.OnlineMinutes = f.Online; row.OfflineMinutes = f.Offline; row.UnknownMinutes = f.Unknown; row.ObservedMinutes = f.Observed;
                row.Online = f.OnlineText; row.Offline = f.OfflineText; row.OnlinePercent = f.OnlinePercent; row.OfflinePercent = f.OfflinePercent;
                row.WindowMinutes = f.Online + f.Offline + f.Unknown;
                yield return row;
            }
        }
    }

    /// <summary>One window's figures as every report shows them: whole minutes that add up, ProVal's text, percentages of observed time.</summary>
    internal struct WindowFigures
    {
        public int Online, Offline, Unknown, Observed;
        public string OnlineText, OfflineText;
        public double? OnlinePercent, OfflinePercent;

        public static WindowFigures Of(Totals t)
        {
            var m = Minutes.Split(t);
            return new WindowFigures
            {
                Online = m.Online, Offline = m.Offline, Unknown = m.Unknown, Observed = m.Online + m.Offline,
                OnlineText = Minutes.Text(m.Online), OfflineText = Minutes.Text(m.Offline),
                OnlinePercent = Minutes.Percent(t.Online, t.Observed), OfflinePercent = Minutes.Percent(t.Offline, t.Observed),
            };
        }
    }
}
