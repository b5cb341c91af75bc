using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    /// <summary>
    /// The database server's clock and time zone. Automate stores naive local DATETIMEs, so every
    /// "now" comes from the server (never the caller), and local times are turned into UTC with the
    /// server's own zone rules, which makes DST days 23 or 25 hours long as they really are.
    /// </summary>
    public sealed class ServerClock
    {
        private readonly List<(DateTime FromUtc, TimeSpan Offset)> _offsets;

        private ServerClock(DateTime nowLocal, DateTime nowUtc, List<(DateTime, TimeSpan)> offsets)
        {
            NowLocal = nowLocal;
            NowUtc = nowUtc;
            _offsets = offsets;
        }

        public DateTime NowLocal { get; }
        public DateTime NowUtc { get; }

        public static ServerClock Read(AuditDatabase db)
        {
            var now = db.QuerySingle<(DateTime Local, DateTime Utc)>(ModuleSql.ServerClock);
            return new ServerClock(now.Local, now.Utc, new List<(DateTime, TimeSpan)> { (DateTime.MinValue, now.Local - now.Utc) });
        }

        /// <summary>Reads the clock and the server's UTC offsets over a span, so ToLocal works there without a query per value.</summary>
        public static ServerClock Read(AuditDatabase db, DateTime fromUtc, DateTime toUtc)
        {
            var now = db.QuerySingle<(DateTime Local, DateTime Utc)>(ModuleSql.ServerClock);
            fromUtc = fromUtc.Date.AddDays(-1);
            toUtc = (toUtc > now.Utc ? toUtc : now.Utc).Date.AddDays(2);
            // Offsets change only at DST transitions: sample daily, then hourly inside days that changed.
            var daily = Offsets(db, fromUtc, toUtc, "DAY");
            var offsets = new List<(DateTime, TimeSpan)> { (DateTime.MinValue, daily[0].Offset) };
            for (int i = 1; i < daily.Count; i++)
            {
                if (daily[i].Offset == daily[i - 1].Offset) continue;
                foreach (var hour in OffsetsOnce(db, daily[i - 1].Utc, daily[i].Utc, "MINUTE", 15))
                {
                    if (hour.Offset != offsets[offsets.Count - 1].Item2) offsets.Add((hour.Utc, hour.Offset));
                }
            }
            return new ServerClock(now.Local, now.Utc, offsets);
        }

        /// <summary>One UTC instant in the server's local time.</summary>
        public static DateTime ToLocal(AuditDatabase db, DateTime utc) =>
            db.QuerySingle<DateTime>("SELECT " + ConnectionAuditSql.UtcToLocal("CAST(@utc AS DATETIME)"), new { utc });

        private static List<(DateTime Utc, TimeSpan Offset)> Offsets(AuditDatabase db, DateTime fromUtc, DateTime toUtc, string unit, int step = 1)
        {
            // MySQL stops a recursive CTE after cte_max_recursion_depth (1000) rows: ask in pieces.
            var all = new List<(DateTime Utc, TimeSpan Offset)>();
            TimeSpan stride = unit == "DAY" ? TimeSpan.FromDays(900 * step) : TimeSpan.FromMinutes(900 * step);
            for (DateTime from = fromUtc; ; from += stride)
            {
                DateTime to = from + stride < toUtc ? from + stride : toUtc;
                foreach (var o in OffsetsOnce(db, from, to, unit, step))
                    if (all.Count == 0 || o.Utc > all[all.Count - 1].Utc) all.Add(o);
                if (to >= toUtc) return all;
            }
        }

        private static List<(DateTime Utc, TimeSpan Offset)> OffsetsOnce(AuditDatabase db, DateTime fromUtc, DateTime toUtc, string unit, int step)
        {
            string sql =
                "WITH RECURSIVE t(u) AS (SELECT CAST(@from AS DATETIME) UNION ALL SELECT u + INTERVAL " + step + " " + unit + " FROM t WHERE u < @to) " +
                "SELECT u AS Utc, TIMESTAMPDIFF(SECOND, u, " + ConnectionAuditSql.UtcToLocal("u") + ") AS Seconds FROM t";
            return db.Query<(DateTime Utc, long Seconds)>(sql, new { from = fromUtc, to = toUtc })
                .Select(r => (r.Utc, TimeSpan.FromSeconds(r.Seconds))).ToList();
        }

        public DateTime ToLocal(DateTime utc)
        {
            TimeSpan offset = _offsets[0].Offset;
            foreach (var (fromUtc, o) in _offsets) { if (fromUtc <= utc) offset = o; else break; }
            return utc + offset;
        }

        /// <summary>Local server times to UTC, by the server's rules (an ambiguous fall-back hour takes the later offset).</summary>
        public static DateTime[] ToUtc(AuditDatabase db, params DateTime[] locals)
        {
            if (locals.Length == 0) return locals;
            var parameters = new Dapper.DynamicParameters();
            var rows = new List<string>();
            for (int i = 0; i < locals.Length; i++)
            {
                parameters.Add("l" + i, locals[i]);
                rows.Add("SELECT " + i + " AS I, " + ConnectionAuditSql.LocalToUtc("CAST(@l" + i + " AS DATETIME)") + " AS U");
            }
            return db.Query<(long I, DateTime U)>(string.Join(" UNION ALL ", rows), parameters)
                .OrderBy(r => r.I).Select(r => r.U).ToArray();
        }
    }
}
