using System;
using System.Collections.Generic;

namespace AutomateAudit.Engine
{
    internal enum PeriodState { Unknown, Online, Offline }

    /// <summary>A recorded state change as the accounting sees it: from this instant on, this state (Unknown after a removal).</summary>
    internal struct StateChange
    {
        public StateChange(DateTime utc, PeriodState state) { Utc = utc; State = state; }
        public DateTime Utc { get; }
        public PeriodState State { get; }
    }

    /// <summary>Seconds online, offline and unknown in some window.</summary>
    internal struct Totals
    {
        public long Online;
        public long Offline;
        public long Unknown;
        public long Window => Online + Offline + Unknown;
        public long Observed => Online + Offline;

        public void Add(Totals other) { Online += other.Online; Offline += other.Offline; Unknown += other.Unknown; }

        public void Add(PeriodState state, long seconds)
        {
            if (state == PeriodState.Online) Online += seconds;
            else if (state == PeriodState.Offline) Offline += seconds;
            else Unknown += seconds;
        }
    }

    internal struct Period
    {
        public Period(DateTime start, DateTime end, PeriodState state) { Start = start; End = end; State = state; }
        public DateTime Start { get; }
        public DateTime End { get; }
        public PeriodState State { get; }
        public long Seconds => (long)(End - Start).TotalSeconds;
    }

    /// <summary>
    /// The accounting rules, in one place. Given the state in force at the start of [from, to), the
    /// changes inside it (in recording order) and the stretches the module could not observe, it cuts the
    /// window into half-open periods whose durations add up to the window exactly.
    /// </summary>
    internal static class Timeline
    {
        public static List<Period> Periods(DateTime from, DateTime to, PeriodState startState,
            IEnumerable<StateChange> changes, IReadOnlyList<Interval> unobserved)
        {
            var raw = new List<Period>();
            DateTime cursor = from;
            PeriodState state = startState;
            foreach (StateChange change in changes)
            {
                // Changes arrive in recording order; a timestamp that runs backwards (DST fall-back,
                // clock fix) takes effect at the cursor instead of producing a negative duration.
                DateTime at = change.Utc < cursor ? cursor : change.Utc;
                if (at >= to) break;
                if (at > cursor) raw.Add(new Period(cursor, at, state));
                cursor = at;
                state = change.State;
            }
            if (to > cursor) raw.Add(new Period(cursor, to, state));
            return Merge(ApplyUnobserved(raw, unobserved));
        }

        public static Totals Sum(IEnumerable<Period> periods, DateTime from, DateTime to)
        {
            var totals = new Totals();
            foreach (Period p in periods)
            {
                DateTime a = p.Start > from ? p.Start : from;
                DateTime b = p.End < to ? p.End : to;
                if (b > a) totals.Add(p.State, (long)(b - a).TotalSeconds);
            }
            return totals;
        }

        private static IEnumerable<Period> ApplyUnobserved(List<Period> periods, IReadOnlyList<Interval> unobserved)
        {
            if (unobserved == null || unobserved.Count == 0) { foreach (var p in periods) yield return p; yield break; }
            foreach (Period p in periods)
            {
                if (p.State == PeriodState.Unknown) { yield return p; continue; }
                DateTime cursor = p.Start;
                foreach (Interval gap in unobserved)
                {
                    if (gap.End <= cursor) continue;
                    if (gap.Start >= p.End) break;
                    if (gap.Start > cursor) yield return new Period(cursor, gap.Start, p.State);
                    DateTime gapEnd = gap.End < p.End ? gap.End : p.End;
                    yield return new Period(gap.Start > cursor ? gap.Start : cursor, gapEnd, PeriodState.Unknown);
                    cursor = gapEnd;
                }
                if (p.End > cursor) yield return new Period(cursor, p.End, p.State);
            }
        }

        private static List<Period> Merge(IEnumerable<Period> periods)
        {
            var merged = new List<Period>();
            foreach (Period p in periods)
            {
                if (p.End <= p.Start) continue;
                if (merged.Count > 0 && merged[merged.Count - 1].State == p.State && merged[merged.Count - 1].End == p.Start)
                    merged[merged.Count - 1] = new Period(merged[merged.Count - 1].Start, p.End, p.State);
                else merged.Add(p);
            }
            return merged;
        }
    }

    /// <summary>Whole minutes that add up to the window exactly (largest remainder), and ProVal's readable durations.</summary>
    internal static class Minutes
    {
        public static (int Online, int Offline, int Unknown) Split(Totals totals)
        {
            long window = totals.Window;
            int target = (int)Math.Round(window / 60.0, MidpointRounding.AwayFromZero);
            long[] seconds = { totals.Online, totals.Offline, totals.Unknown };
            int[] minutes = new int[3];
            int assigned = 0;
            for (int i = 0; i < 3; i++) { minutes[i] = (int)(seconds[i] / 60); assigned += minutes[i]; }
            while (assigned < target)
            {
                int best = 0;
                for (int i = 1; i < 3; i++) if (seconds[i] % 60 > seconds[best] % 60) best = i;
                minutes[best]++;
                seconds[best] -= seconds[best] % 60; // each remainder is used once
                assigned++;
            }
            return (minutes[0], minutes[1], minutes[2]);
        }

        /// <summary>"10hr 38min", "4day 10hr 38min" as the ProVal dataview shows them.</summary>
        public static string Text(int minutes)
        {
            if (minutes < 0) minutes = 0;
            int days = minutes / 1440, hours = minutes % 1440 / 60, mins = minutes % 60;
            return (days > 0 ? days + "day " : string.Empty) + hours + "hr " + mins + "min";
        }

        public static double? Percent(long part, long whole) =>
            whole <= 0 ? (double?)null : Math.Round(100.0 * part / whole, 2, MidpointRounding.AwayFromZero);
    }
}

namespace AutomateAudit.Engine
{
    /// <summary>A day's periods as stored in the daily row: "O3600 F1800 U600" (Online, oFfline, Unknown; seconds from the day's start).</summary>
    internal static class TimelineText
    {
        public static string Encode(IEnumerable<Period> periods)
        {
            var text = new System.Text.StringBuilder();
            foreach (Period p in periods)
            {
                if (text.Length > 0) text.Append(' ');
                text.Append(p.State == PeriodState.Online ? 'O' : p.State == PeriodState.Offline ? 'F' : 'U').Append(p.Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            return text.ToString();
        }

        /// <summary>Reads a stored timeline back; text that does not parse (edited by hand?) is rejected, never guessed at.</summary>
        public static List<Period> Decode(string text, DateTime dayStartUtc, DateTime dayEndUtc)
        {
            var periods = new List<Period>();
            DateTime cursor = dayStartUtc;
            foreach (string token in (text ?? string.Empty).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
            {
                PeriodState state = token[0] == 'O' ? PeriodState.Online : token[0] == 'F' ? PeriodState.Offline : token[0] == 'U' ? PeriodState.Unknown
                    : throw new FormatException("Bad period '" + token + "' in a stored daily timeline.");
                if (!long.TryParse(token.Substring(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long seconds))
                    throw new FormatException("Bad period '" + token + "' in a stored daily timeline.");
                DateTime end = cursor.AddSeconds(seconds);
                periods.Add(new Period(cursor, end, state));
                cursor = end;
            }
            if (cursor != dayEndUtc) throw new FormatException("A stored daily timeline covers " + (cursor - dayStartUtc).TotalSeconds + " s of a " + (dayEndUtc - dayStartUtc).TotalSeconds + " s day.");
            return periods;
        }
    }
}
