using System;
using System.Collections.Generic;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    /// <summary>
    /// The database server's clock and time zone, read once per command. Automate stores naive local
    /// DATETIMEs, so every "now" comes from the server (never the caller), and local times are turned into
    /// UTC with the server's own zone rules, which makes DST days 23 or 25 hours long as they really are.
    /// </summary>
    internal sealed class ServerClock
    {
        private readonly ServerStore _server;
        private List<(DateTime FromUtc, TimeSpan Offset)> _offsets;
        private DateTime _offsetsFrom = DateTime.MaxValue, _offsetsTo = DateTime.MinValue;

        private ServerClock(ServerStore server, DateTime nowLocal, DateTime nowUtc)
        {
            _server = server;
            NowLocal = nowLocal;
            NowUtc = DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc);
            _offsets = new List<(DateTime, TimeSpan)> { (DateTime.MinValue, nowLocal - nowUtc) };
        }

        public DateTime NowLocal { get; }
        public DateTime NowUtc { get; }

        /// <summary>The one read of the server's clock a command makes.</summary>
        public static ServerClock Read(ServerStore server)
        {
            var now = server.Now();
            return new ServerClock(server, now.Local, now.Utc);
        }

        /// <summary>Loads the server's UTC offsets over a span (and up to now), so ToLocal is exact there without a query per value.</summary>
        public ServerClock CoverSpan(DateTime fromUtc, DateTime toUtc)
        {
            fromUtc = fromUtc.Date.AddDays(-1);
            toUtc = (toUtc > NowUtc ? toUtc : NowUtc).Date.AddDays(2);
            if (fromUtc >= _offsetsFrom && toUtc <= _offsetsTo) return this;
            // Offsets change only at DST transitions: sample daily, then every 15 minutes inside days that changed.
            var daily = Sample(fromUtc, toUtc, daily: true, step: 1);
            var offsets = new List<(DateTime, TimeSpan)> { (DateTime.MinValue, daily[0].Offset) };
            for (int i = 1; i < daily.Count; i++)
            {
                if (daily[i].Offset == daily[i - 1].Offset) continue;
                foreach (var quarter in _server.Offsets(daily[i - 1].Utc, daily[i].Utc, daily: false, step: 15))
                {
                    if (quarter.Offset != offsets[offsets.Count - 1].Item2) offsets.Add((quarter.Utc, quarter.Offset));
                }
            }
            _offsets = offsets;
            _offsetsFrom = fromUtc;
            _offsetsTo = toUtc;
            return this;
        }

        private List<(DateTime Utc, TimeSpan Offset)> Sample(DateTime fromUtc, DateTime toUtc, bool daily, int step)
        {
            var all = new List<(DateTime Utc, TimeSpan Offset)>();
            TimeSpan stride = TimeSpan.FromDays(900 * step);
            for (DateTime from = fromUtc; ; from += stride)
            {
                DateTime to = from + stride < toUtc ? from + stride : toUtc;
                foreach (var o in _server.Offsets(from, to, daily, step))
                    if (all.Count == 0 || o.Utc > all[all.Count - 1].Utc) all.Add(o);
                if (to >= toUtc) return all;
            }
        }

        /// <summary>A UTC instant in the server's local time (exact inside the span given to CoverSpan).</summary>
        public DateTime ToLocal(DateTime utc)
        {
            if (utc < _offsetsFrom || utc > _offsetsTo) CoverSpan(utc < NowUtc ? utc : NowUtc, utc > NowUtc ? utc : NowUtc);
            TimeSpan offset = _offsets[0].Offset;
            foreach (var (fromUtc, o) in _offsets) { if (fromUtc <= utc) offset = o; else break; }
            return DateTime.SpecifyKind(utc + offset, DateTimeKind.Unspecified);
        }

        /// <summary>Local server times to UTC, by the server's rules (an ambiguous fall-back hour takes the later offset).</summary>
        public DateTime[] ToUtc(params DateTime[] locals)
        {
            DateTime[] utc = _server.LocalToUtc(locals);
            for (int i = 0; i < utc.Length; i++) utc[i] = DateTime.SpecifyKind(utc[i], DateTimeKind.Utc);
            return utc;
        }
    }
}
