using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    /// <summary>Get-ConnectionHistory: each online, offline and unknown period of each computer in a window.</summary>
    internal sealed class HistoryReport
    {
        private readonly AuditSession _session;
        private readonly ServerClock _clock;
        private readonly ReportComputers _computers;

        public HistoryReport(AuditSession session, ServerClock clock, ReportComputers computers)
        {
            _session = session;
            _clock = clock;
            _computers = computers;
        }

        /// <summary>Periods in [start, end) (server local times; default the last 7 days to now).</summary>
        public IEnumerable<ConnectionPeriodRow> Periods(ComputerFilter filter, DateTime? start, DateTime? end)
        {
            DateTime endLocal = end ?? _clock.NowLocal;
            DateTime startLocal = start ?? endLocal.AddDays(-7);
            if (endLocal <= startLocal) throw new ArgumentException("-End must be later than -Start.");
            DateTime[] utc = _clock.ToUtc(startLocal, endLocal);
            _clock.CoverSpan(utc[0], utc[1]);
            var coverage = Coverage.Load(_session, utc[0], utc[1], _clock.NowUtc);
            var accounting = new ConnectionAccounting(_session.History, coverage);
            foreach (var chunk in _computers.Chunks(filter))
            {
                var periods = accounting.Periods(chunk.Select(c => c.ComputerId).ToList(), utc[0], utc[1]);
                foreach (ComputerRecord computer in chunk)
                {
                    if (!periods.TryGetValue(computer.ComputerId, out List<Period> list))
                        list = new List<Period> { new Period(utc[0], utc[1], PeriodState.Unknown) };
                    foreach (Period p in list)
                    {
                        yield return new ConnectionPeriodRow
                        {
                            ComputerId = computer.ComputerId, Computer = computer.Computer, Client = computer.Client, Location = computer.Location,
                            State = p.State.ToString(),
                            Start = _clock.ToLocal(p.Start), End = _clock.ToLocal(p.End),
                            StartUtc = DateTime.SpecifyKind(p.Start, DateTimeKind.Utc), EndUtc = DateTime.SpecifyKind(p.End, DateTimeKind.Utc),
                            DurationMinutes = Math.Round((p.End - p.Start).TotalMinutes, 2),
                            Duration = Minutes.Text((int)Math.Round((p.End - p.Start).TotalMinutes)),
                            Open = p.End == utc[1],
                        };
                    }
                }
            }
        }
    }
}
