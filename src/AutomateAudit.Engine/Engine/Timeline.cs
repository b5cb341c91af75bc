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

        /// <summary>
        /// The sums of <see cref="Periods"/> over the whole window, counted as they are cut instead of collected into a
        /// list (a report accounts today for every computer of the fleet).
        /// </summary>
        public static Totals Account(DateTime from, DateTime to, PeriodState startState, IReadOnlyList<StateChange> changes, IReadOnlyList<Interval> unobserved)
        {
            var totals = new Totals();
            DateTime cursor = from;
            PeriodState state = startState;
            for (int i = 0; changes != null && i < changes.Count; i++)
            {
                DateTime at = changes[i].Utc < cursor ? cursor : changes[i].Utc;
                if (at >= to) break;
                if (at > cursor) AddUnobservedAside(ref totals, cursor, at, state, unobserved);
                cursor = at;
                state = changes[i].State;
            }
            if (to > cursor) AddUnobservedAside(ref totals, cursor, to, state, unobserved);
            return totals;
        }

        /// <summary>Adds one period's seconds as <see cref="Account"/> does (nothing when it is empty).</summary>
        public static void AddPeriod(ref Totals totals, DateTime start, DateTime end, PeriodState state, IReadOnlyList<Interval> unobserved)
        {
            if (end > start) AddUnobservedAside(ref totals, start, end, state, unobserved);
        }

        /// <summary>A period's seconds, those inside unobserved stretches as Unknown (as <see cref="ApplyUnobserved"/> cuts them).</summary>
        private static void AddUnobservedAside(ref Totals totals, DateTime start, DateTime end, PeriodState state, IReadOnlyList<Interval> unobserved)
        {
            DateTime cursor = start;
            if (state != PeriodState.Unknown && unobserved != null)
            {
                for (int i = 0; i < unobserved.Count; i++)
                {
                    Interval gap = unobserved[i];
                    if (gap.End <= cursor) continue;
                    if (gap.Start >= end) break;
                    if (gap.Start > cursor) totals.Add(state, Seconds(cursor, gap.Start));
                    DateTime gapEnd = gap.End < end ? gap.End : end;
                    totals.Add(PeriodState.Unknown, Seconds(gap.Start > cursor ? gap.Start : cursor, gapEnd));
                    cursor = gapEnd;
                }
            }
            totals.Add(state, Seconds(cursor, end));
        }

        private static long Seconds(DateTime start, DateTime end) => end > start ? (long)(end - start).TotalSeconds : 0;

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
        /// <summary>
        /// Whole minutes that add up to the window's minutes (rounded): each state gets its whole minutes, and the minutes
        /// still missing go to the largest remainders of seconds, one each. Locals, not arrays: a report of 100,000
        /// computers splits 300,000 windows.
        /// </summary>
        public static (int Online, int Offline, int Unknown) Split(Totals totals)
        {
            int target = (int)Math.Round(totals.Window / 60.0, MidpointRounding.AwayFromZero);
            int online = (int)(totals.Online / 60), offline = (int)(totals.Offline / 60), unknown = (int)(totals.Unknown / 60);
            long onlineRest = totals.Online % 60, offlineRest = totals.Offline % 60, unknownRest = totals.Unknown % 60;
            for (int assigned = online + offline + unknown; assigned < target; assigned++)
            {
                // The first of equal remainders wins; each remainder is used once.
                if (onlineRest >= offlineRest && onlineRest >= unknownRest) { online++; onlineRest = 0; }
                else if (offlineRest >= unknownRest) { offline++; offlineRest = 0; }
                else { unknown++; unknownRest = 0; }
            }
            return (online, offline, unknown);
        }

        /// <summary>"10hr 38min", "4day 10hr 38min" as the ProVal dataview shows them.</summary>
        public static string Text(int minutes)
        {
            if (minutes < 0) minutes = 0;
            int days = minutes / 1440, hours = minutes % 1440 / 60, mins = minutes % 60;
            // Composed in one buffer: a report of 100,000 computers makes 600,000 of these.
            char[] text = _text ?? (_text = new char[32]);
            int length = 0;
            if (days > 0) length = Append(text, Append(text, length, days), "day ");
            length = Append(text, Append(text, length, hours), "hr ");
            length = Append(text, Append(text, length, mins), "min");
            return new string(text, 0, length);
        }

        [ThreadStatic] private static char[] _text;

        private static int Append(char[] text, int at, int value)
        {
            int digits = 1;
            for (int v = value; v >= 10; v /= 10) digits++;
            for (int i = at + digits - 1; i >= at; i--) { text[i] = (char)('0' + value % 10); value /= 10; }
            return at + digits;
        }

        private static int Append(char[] text, int at, string value)
        {
            value.CopyTo(0, text, at, value.Length);
            return at + value.Length;
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

        /// <summary>
        /// The seconds of a stored timeline from <paramref name="from"/> to the day's end, read in place without building its
        /// periods (a report reads three timelines per computer). Text that does not parse (edited by hand?) is rejected,
        /// never guessed at.
        /// </summary>
        public static Totals Sum(string text, DateTime dayStartUtc, DateTime dayEndUtc, DateTime from)
        {
            var totals = new Totals();
            var reader = new Reader(text);
            DateTime cursor = dayStartUtc;
            while (reader.Next(out PeriodState state, out long seconds))
            {
                DateTime end = cursor.AddSeconds(seconds);
                DateTime start = cursor > from ? cursor : from;
                if (end > start) totals.Add(state, (long)(end - start).TotalSeconds);
                cursor = end;
            }
            CheckCovers(cursor, dayStartUtc, dayEndUtc);
            return totals;
        }

        private static void CheckCovers(DateTime cursor, DateTime dayStartUtc, DateTime dayEndUtc)
        {
            if (cursor != dayEndUtc) throw new FormatException("A stored daily timeline covers " + (cursor - dayStartUtc).TotalSeconds + " s of a " + (dayEndUtc - dayStartUtc).TotalSeconds + " s day.");
        }

        /// <summary>The periods of the text one by one: a state letter and whole seconds (digits only), separated by spaces.</summary>
        private struct Reader
        {
            private readonly string _text;
            private int _at;

            public Reader(string text) { _text = text ?? string.Empty; _at = 0; }

            public bool Next(out PeriodState state, out long seconds)
            {
                while (_at < _text.Length && _text[_at] == ' ') _at++;
                state = PeriodState.Unknown;
                seconds = 0;
                if (_at == _text.Length) return false;
                int start = _at;
                while (_at < _text.Length && _text[_at] != ' ') _at++;
                char letter = _text[start];
                state = letter == 'O' ? PeriodState.Online : letter == 'F' ? PeriodState.Offline : letter == 'U' ? PeriodState.Unknown
                    : throw Bad(start);
                // At most 18 digits: no overflow, as long.TryParse would refuse one.
                if (_at - start < 2 || _at - start > 19) throw Bad(start);
                for (int i = start + 1; i < _at; i++)
                {
                    char digit = _text[i];
                    if (digit < '0' || digit > '9') throw Bad(start);
                    seconds = seconds * 10 + (digit - '0');
                }
                return true;
            }

            private FormatException Bad(int start) =>
                new FormatException("Bad period '" + _text.Substring(start, _at - start) + "' in a stored daily timeline.");
        }
    }
}
