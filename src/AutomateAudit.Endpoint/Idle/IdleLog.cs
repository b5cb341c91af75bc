using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace AutomateAudit.Endpoint.Idle
{
    /// <summary>What a line of the idle log says from its instant on.</summary>
    internal enum IdleMark
    {
        /// <summary>A: the user is active (from the input that ended an idle stretch, or from the sampler's start).</summary>
        Active = 'A',
        /// <summary>I: the user is idle (from the last input, not from when the threshold was crossed), or the session is locked.</summary>
        Idle = 'I',
        /// <summary>H: heartbeat, the state goes on; the sampler was running then.</summary>
        Heartbeat = 'H',
        /// <summary>X: the sampler stopped; nothing is known from here on.</summary>
        Stopped = 'X',
    }

    /// <summary>One line of the idle log: "2026-11-25T13:05:00Z A 3" (UTC instant to the second, mark, session id).</summary>
    internal struct IdleLogLine
    {
        public IdleLogLine(DateTime utc, IdleMark mark, string sessionId)
        {
            Utc = DateTime.SpecifyKind(new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
            Mark = mark;
            SessionId = sessionId;
        }

        public DateTime Utc { get; }
        public IdleMark Mark { get; }
        public string SessionId { get; }

        public override string ToString() =>
            Utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) + " " + (char)Mark + " " + SessionId;

        /// <summary>A line as written, or null for anything else (a half-written last line, a line edited by hand).</summary>
        public static IdleLogLine? Parse(string text)
        {
            string[] parts = (text ?? string.Empty).Split(' ');
            if (parts.Length != 3 || parts[1].Length != 1 || parts[2].Length == 0 || parts[2].Length > 32) return null;
            if (!DateTime.TryParseExact(parts[0], "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime utc)) return null;
            char mark = parts[1][0];
            if (mark != 'A' && mark != 'I' && mark != 'H' && mark != 'X') return null;
            return new IdleLogLine(utc, (IdleMark)mark, parts[2]);
        }
    }

    /// <summary>
    /// The idle log: one append-only text file per user, the changes of state rather than every 5-second sample,
    /// plus a heartbeat every <see cref="IdleLog.Heartbeat"/> so that time with no sampler running reads as
    /// Unknown. A reader may read it while the sampler writes: lines are appended whole, a half-written last line
    /// is ignored, and rotation writes a new file and renames it over the old one.
    /// </summary>
    internal static class IdleLog
    {
        public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(5);
        public static readonly TimeSpan Heartbeat = TimeSpan.FromMinutes(5);
        /// <summary>Two lines further apart than this leave the time after the first heartbeat Unknown.</summary>
        public static readonly TimeSpan MaxGap = TimeSpan.FromMinutes(10);
        public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(35);
        public const long MaxBytes = 1024 * 1024;

        public static void Append(string path, IEnumerable<IdleLogLine> lines)
        {
            var text = new StringBuilder();
            foreach (IdleLogLine line in lines) text.Append(line).Append('\n');
            if (text.Length == 0) return;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path)));
            byte[] bytes = Encoding.ASCII.GetBytes(text.ToString());
            using (var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
            {
                stream.Write(bytes, 0, bytes.Length);
            }
        }

        /// <summary>Every well-formed line, in file order.</summary>
        public static List<IdleLogLine> Read(string path)
        {
            var lines = new List<IdleLogLine>();
            if (!File.Exists(path)) return lines;
            string text;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var reader = new StreamReader(stream, Encoding.ASCII))
            {
                text = reader.ReadToEnd();
            }
            int end = text.LastIndexOf('\n');
            foreach (string raw in (end < 0 ? string.Empty : text.Substring(0, end)).Split('\n'))
            {
                IdleLogLine? line = IdleLogLine.Parse(raw.TrimEnd('\r'));
                if (line.HasValue) lines.Add(line.Value);
            }
            return lines;
        }

        /// <summary>Keeps the log bounded: when it is over MaxBytes or holds lines older than the retention, rewrites it with the recent lines and renames it into place.</summary>
        public static bool Rotate(string path, DateTime nowUtc, TimeSpan retention)
        {
            if (!File.Exists(path)) return false;
            var lines = Read(path);
            DateTime cut = nowUtc - retention;
            bool tooBig = new FileInfo(path).Length > MaxBytes;
            if (!tooBig && (lines.Count == 0 || lines[0].Utc >= cut)) return false;
            var keep = lines.Where(l => l.Utc >= cut).ToList();
            if (tooBig) keep = keep.Skip(keep.Count / 2).ToList();
            string temporary = path + ".new";
            File.WriteAllText(temporary, string.Concat(keep.Select(l => l + "\n")), Encoding.ASCII);
            File.Replace(temporary, path, null);
            return true;
        }
    }

    /// <summary>
    /// The sampler's decisions, separate from how it reads the OS: fed the idle time (time since the last input)
    /// and the lock state every sample, it says which lines to write. A user is idle after the threshold without
    /// input, and the idle stretch starts at the last input; a locked session is idle.
    /// </summary>
    internal sealed class IdleTracker
    {
        private readonly string _sessionId;
        private IdleMark? _state;
        private DateTime _lastLine;
        private DateTime _lastChange;

        public IdleTracker(string sessionId, TimeSpan threshold)
        {
            _sessionId = sessionId;
            Threshold = threshold;
        }

        public TimeSpan Threshold { get; }

        public IdleLogLine? Sample(DateTime nowUtc, TimeSpan idle, bool locked)
        {
            if (idle < TimeSpan.Zero) idle = TimeSpan.Zero;
            IdleMark now = locked || idle >= Threshold ? IdleMark.Idle : IdleMark.Active;
            if (_state == null) return Write(nowUtc, now); // nothing is known before the sampler started
            if (now != _state.Value)
            {
                // Idle from the last input; active again from the input that ended the idle stretch (idle ago).
                DateTime at = nowUtc - idle;
                if (now == IdleMark.Idle && locked && idle < Threshold) at = nowUtc;
                // A change may be dated before the last heartbeat (the input stopped before it; only now is that
                // known): readers order lines by time, and a heartbeat never changes the state.
                return Write(at < _lastChange ? _lastChange : at > nowUtc ? nowUtc : at, now);
            }
            return nowUtc - LatestLine >= IdleLog.Heartbeat ? Write(nowUtc, IdleMark.Heartbeat) : (IdleLogLine?)null;
        }

        public IdleLogLine Stop(DateTime nowUtc) => new IdleLogLine(nowUtc < _lastLine ? _lastLine : nowUtc, IdleMark.Stopped, _sessionId);

        /// <summary>Heartbeats are due from the latest line written, whatever its date.</summary>
        private DateTime LatestLine => _lastLine;

        private IdleLogLine Write(DateTime at, IdleMark mark)
        {
            if (mark != IdleMark.Heartbeat)
            {
                _state = mark;
                _lastChange = at;
            }
            if (at > _lastLine) _lastLine = at;
            return new IdleLogLine(at, mark, _sessionId);
        }
    }

    /// <summary>Turns an idle log into active, idle and unknown time: per session, per UTC hour.</summary>
    internal static class IdleHistory
    {
        /// <summary>
        /// The hours (UTC) from fromUtc to nowUtc with their active, idle and unknown minutes, per session. A state
        /// holds until the next line; after a line, at most one heartbeat is known unless another line follows
        /// within MaxGap; after a stop, nothing is known. Whole minutes add up to the hour (largest remainder).
        /// </summary>
        public static List<(string SessionId, DateTime HourUtc, int Active, int Idle, int Unknown)> Hourly(IReadOnlyList<IdleLogLine> lines, DateTime fromUtc, DateTime nowUtc)
        {
            var result = new List<(string, DateTime, int, int, int)>();
            DateTime firstHour = new DateTime(fromUtc.Year, fromUtc.Month, fromUtc.Day, fromUtc.Hour, 0, 0, DateTimeKind.Utc);
            foreach (var session in lines.GroupBy(l => l.SessionId))
            {
                var known = Intervals(session.OrderBy(l => l.Utc).ToList(), nowUtc);
                if (known.Count == 0) continue;
                DateTime start = known[0].From > firstHour ? new DateTime(known[0].From.Year, known[0].From.Month, known[0].From.Day, known[0].From.Hour, 0, 0, DateTimeKind.Utc) : firstHour;
                for (DateTime hour = start; hour < nowUtc; hour = hour.AddHours(1))
                {
                    DateTime end = hour.AddHours(1) < nowUtc ? hour.AddHours(1) : nowUtc;
                    double active = 0, idle = 0;
                    foreach (var (from, to, mark) in known)
                    {
                        double seconds = Overlap(from, to, hour, end);
                        if (mark == IdleMark.Active) active += seconds; else idle += seconds;
                    }
                    if (active == 0 && idle == 0 && hour.AddHours(1) <= known[0].From) continue;
                    double unknown = (end - hour).TotalSeconds - active - idle;
                    var (a, i, u) = Split(active, idle, unknown);
                    result.Add((session.Key, hour, a, i, u));
                }
            }
            return result;
        }

        /// <summary>The known stretches of one session's lines: (from, to, Active or Idle), sorted.</summary>
        public static List<(DateTime From, DateTime To, IdleMark Mark)> Intervals(IReadOnlyList<IdleLogLine> unordered, DateTime nowUtc)
        {
            var lines = unordered.OrderBy(l => l.Utc).ToList(); // stable: lines of one instant keep their file order
            var known = new List<(DateTime, DateTime, IdleMark)>();
            IdleMark? state = null;
            for (int k = 0; k < lines.Count; k++)
            {
                IdleLogLine line = lines[k];
                if (line.Mark == IdleMark.Stopped) { state = null; continue; }
                if (line.Mark != IdleMark.Heartbeat) state = line.Mark;
                if (state == null) continue;
                DateTime next = k + 1 < lines.Count ? lines[k + 1].Utc : nowUtc;
                DateTime limit = line.Utc + (next - line.Utc > IdleLog.MaxGap ? IdleLog.Heartbeat : IdleLog.MaxGap);
                DateTime to = next < limit ? next : limit;
                if (to > nowUtc) to = nowUtc;
                if (to > line.Utc) known.Add((line.Utc, to, state.Value));
            }
            return known;
        }

        private static double Overlap(DateTime a, DateTime b, DateTime c, DateTime d)
        {
            DateTime from = a > c ? a : c, to = b < d ? b : d;
            return to > from ? (to - from).TotalSeconds : 0;
        }

        private static (int, int, int) Split(double active, double idle, double unknown)
        {
            double[] seconds = { active, idle, Math.Max(0, unknown) };
            int target = (int)Math.Round(seconds.Sum() / 60, MidpointRounding.AwayFromZero);
            int[] minutes = seconds.Select(s => (int)Math.Floor(s / 60)).ToArray();
            var order = Enumerable.Range(0, 3).OrderByDescending(i => seconds[i] / 60 - minutes[i]).ToList();
            for (int k = 0; minutes.Sum() < target; k++) minutes[order[k % 3]]++;
            return (minutes[0], minutes[1], minutes[2]);
        }
    }
}
