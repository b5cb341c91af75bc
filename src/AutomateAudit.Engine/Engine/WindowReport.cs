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

        /// <summary>The time in the window nothing covers: every computer is Unknown there (a report warns about it).</summary>
        public UncoveredTime Uncovered(DateTime startLocal, DateTime? end)
        {
            DateTime endLocal = end ?? _clock.NowLocal;
            if (endLocal <= startLocal) throw new ArgumentException("-End must be later than -Start.");
            DateTime[] utc = _clock.ToUtc(startLocal, endLocal);
            _clock.CoverSpan(utc[0], utc[1]);
            var spans = _accounting.Uncovered(new Interval(utc[0], utc[1])).Items;
            var result = new UncoveredTime();
            foreach (Interval gap in spans)
            {
                if (gap.Start == utc[0]) result.Leading = (startLocal, _clock.ToLocal(gap.End));
                else { result.LaterSpans++; result.LaterSeconds += gap.Seconds; }
            }
            return result;
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
                row.OnlinePercent = f.OnlinePercent; row.OfflinePercent = f.OfflinePercent;
                row.WindowMinutes = f.Online + f.Offline + f.Unknown;
                yield return row;
            }
        }
    }

    /// <summary>The parts of a report window that nothing covers (before now), in the server's local time.</summary>
    internal sealed class UncoveredTime
    {
        /// <summary>From the window's start to the first covered instant: before the history AutomateAudit holds. Null when the window starts covered.</summary>
        public (DateTime Start, DateTime End)? Leading { get; set; }
        /// <summary>Other uncovered spans (recording was not running, or a day's raw history is gone).</summary>
        public int LaterSpans { get; set; }
        public long LaterSeconds { get; set; }
        public bool Any => Leading.HasValue || LaterSpans > 0;

        /// <summary>The warning a report writes, or null.</summary>
        public string Warning()
        {
            if (!Any) return null;
            var text = new System.Text.StringBuilder();
            if (Leading.HasValue)
            {
                var (start, end) = Leading.Value;
                text.Append(Local(start) + ".." + Local(end) + " (" + Minutes.Text((int)Math.Round((end - start).TotalMinutes)) + ") of the window predate" +
                    " the history AutomateAudit holds (not recorded, or past the retention of Invoke-DailyRollup)");
            }
            if (LaterSpans > 0)
            {
                if (text.Length > 0) text.Append("; ");
                text.Append(LaterSpans + " later span(s) of " + Minutes.Text((int)Math.Round(LaterSeconds / 60.0)) + " in all have no recorded history");
            }
            return text.Append(": counted as unknown for every computer, never as online or offline.").ToString();
        }

        private static string Local(DateTime t) =>
            t.ToString(t.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>One window's figures as every report shows them: whole minutes that add up, ProVal's text, percentages of observed time.</summary>
    internal struct WindowFigures
    {
        public int Online, Offline, Unknown, Observed;
        public double? OnlinePercent, OfflinePercent;

        public static WindowFigures Of(Totals t)
        {
            var m = Minutes.Split(t);
            return new WindowFigures
            {
                Online = m.Online, Offline = m.Offline, Unknown = m.Unknown, Observed = m.Online + m.Offline,
                OnlinePercent = Minutes.Percent(t.Online, t.Observed), OfflinePercent = Minutes.Percent(t.Offline, t.Observed),
            };
        }
    }
}
