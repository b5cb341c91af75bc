using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using AutomateAudit.Endpoint.Platform;

namespace AutomateAudit.Endpoint.Idle.Linux
{
    /// <summary>
    /// The Linux idle sampler: one root process (the automateaudit-idle systemd service) for every session.
    /// Every sample interval it lists the sessions, measures each one's idle time (<see cref="LinuxIdleProbe"/>: the
    /// terminal's access time, or logind's hints for graphical sessions; a locked session is idle), feeds one
    /// <see cref="IdleTracker"/> per (user, session), and appends what the trackers say to
    /// &lt;logDirectory&gt;/&lt;user&gt;.log with <see cref="IdleLog.Append"/>. A session that vanished, or whose idle time
    /// became unknown, gets a stop line (X); every session gets one at shutdown. It also overwrites
    /// &lt;logDirectory&gt;/&lt;user&gt;.now (<see cref="LatestSampleFile"/>) every sample, and rotates the logs once a day.
    /// <para>Cost: one read of utmp and of /run/systemd/sessions, one stat per terminal and (for graphical sessions
    /// only) one loginctl per session per sample; a log line only on a change of state or every heartbeat.</para>
    /// <para>User names must match [A-Za-z0-9._-]+ (and are not "." or ".."), so no file lands outside the log
    /// directory; other users are skipped with a warning, as are session ids other than [A-Za-z0-9]{1,32}.</para>
    /// </summary>
    internal sealed class LinuxIdleSampler
    {
        public const string DefaultLogDirectory = "/var/lib/automateaudit/idle";
        public const string DefaultExcludeFile = "/etc/automateaudit/idle-exclude";
        public const string LogExtension = ".log";
        public static readonly TimeSpan DefaultThreshold = TimeSpan.FromMinutes(5);
        public static readonly TimeSpan RotationInterval = TimeSpan.FromDays(1);

        private static readonly Regex UserNamePattern = new Regex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant);

        private readonly LinuxIdleProbe _probe;
        private readonly Func<DateTime> _utcNow;
        private readonly Action<string> _warn;
        private readonly HashSet<string> _excludeGiven;
        private HashSet<string> _exclude;
        private DateTime? _excludeFileStamp;
        private readonly Dictionary<(string User, string Session), IdleTracker> _trackers = new Dictionary<(string, string), IdleTracker>();
        private readonly HashSet<string> _nowFiles = new HashSet<string>(StringComparer.Ordinal);
        private readonly HashSet<string> _warned = new HashSet<string>(StringComparer.Ordinal);
        private DateTime? _lastRotation;

        /// <param name="logDirectory">Default /var/lib/automateaudit/idle.</param>
        /// <param name="interval">Default <see cref="IdleLog.SampleInterval"/> (5 s).</param>
        /// <param name="threshold">Idle after this long without input; default 5 minutes.</param>
        /// <param name="excludeUsers">Users never sampled (added to those in the exclude file).</param>
        /// <param name="excludeFile">One user per line ('#' comments); default /etc/automateaudit/idle-exclude; re-read when it changes.</param>
        /// <param name="probe">Default a <see cref="LinuxIdleProbe"/> over the real system, on the same clock.</param>
        /// <param name="utcNow">The clock; default DateTime.UtcNow.</param>
        /// <param name="retention">How long logs keep lines; default 35 days.</param>
        /// <param name="warn">Where warnings go (the cmdlet's WriteWarning / stderr for the journal); default nowhere.</param>
        public LinuxIdleSampler(
            string logDirectory = null,
            TimeSpan? interval = null,
            TimeSpan? threshold = null,
            IEnumerable<string> excludeUsers = null,
            string excludeFile = null,
            LinuxIdleProbe probe = null,
            Func<DateTime> utcNow = null,
            TimeSpan? retention = null,
            Action<string> warn = null)
        {
            LogDirectory = logDirectory ?? DefaultLogDirectory;
            Interval = interval ?? IdleLog.SampleInterval;
            if (Interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval));
            Threshold = threshold ?? DefaultThreshold;
            if (Threshold <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(threshold));
            ExcludeFile = excludeFile ?? DefaultExcludeFile;
            Retention = retention ?? IdleLog.DefaultRetention;
            _utcNow = utcNow ?? (() => DateTime.UtcNow);
            _probe = probe ?? new LinuxIdleProbe(utcNow: _utcNow);
            _warn = warn ?? (_ => { });
            _excludeGiven = new HashSet<string>(excludeUsers ?? Enumerable.Empty<string>(), StringComparer.Ordinal);
            _exclude = new HashSet<string>(_excludeGiven, StringComparer.Ordinal);
        }

        public string LogDirectory { get; }
        public TimeSpan Interval { get; }
        public TimeSpan Threshold { get; }
        public string ExcludeFile { get; }
        public TimeSpan Retention { get; }

        public static bool IsValidUserName(string name) =>
            name != null && UserNamePattern.IsMatch(name) && name != "." && name != "..";

        public string LogPath(string user) => Path.Combine(LogDirectory, user + LogExtension);
        public string LatestPath(string user) => Path.Combine(LogDirectory, user + LatestSampleFile.Extension);

        /// <summary>
        /// Samples every interval until cancelled, then writes a stop line for every session it followed. Ticks are
        /// scheduled from a monotonic stopwatch (start + k·interval), so they do not drift; a tick that comes late
        /// (a suspended machine) is not repeated. Errors of one sample are warned about and sampling goes on.
        /// </summary>
        public void Run(CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(LogDirectory);
            var clock = Stopwatch.StartNew();
            long tick = 0;
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    SampleOnce(_utcNow());
                    tick++;
                    TimeSpan due = TimeSpan.FromTicks(Interval.Ticks * tick);
                    TimeSpan wait = due - clock.Elapsed;
                    if (wait < TimeSpan.Zero)
                    {
                        tick = clock.Elapsed.Ticks / Interval.Ticks + 1;
                        wait = TimeSpan.FromTicks(Interval.Ticks * tick) - clock.Elapsed;
                        if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
                    }
                    if (cancellationToken.WaitHandle.WaitOne(wait)) break;
                }
            }
            finally
            {
                StopAll(_utcNow());
            }
        }

        /// <summary>One sample at nowUtc: measure, feed the trackers, append the lines, write the .now files, rotate when due.</summary>
        public void SampleOnce(DateTime nowUtc)
        {
            RefreshExclude();
            IReadOnlyList<SessionIdle> measured;
            try
            {
                measured = _probe.Measure(nowUtc);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // Sessions unknown this time: nothing is written, so the time becomes Unknown if it lasts.
                _warn("Idle sampler: the sessions could not be listed: " + e.Message);
                return;
            }

            var lines = new Dictionary<string, List<IdleLogLine>>(StringComparer.Ordinal);
            var latest = new Dictionary<string, List<LatestSample>>(StringComparer.Ordinal);
            var seen = new HashSet<(string, string)>();

            foreach (SessionIdle m in measured)
            {
                string user = m.Session.UserName;
                string session = m.Session.SessionId;
                if (user != null && _exclude.Contains(user)) continue;
                if (!IsValidUserName(user)) { WarnOnce("user:" + user, $"Idle sampler: user name '{user}' is not [A-Za-z0-9._-]+; not sampled."); continue; }
                if (!LoginctlIdleReader.IsValidSessionId(session)) { WarnOnce("session:" + session, $"Idle sampler: session id '{session}' of {user} is not [A-Za-z0-9]+; not sampled."); continue; }
                var key = (user, session);
                if (!seen.Add(key)) continue;
                if (!latest.ContainsKey(user)) latest[user] = new List<LatestSample>();

                if (m.Idle == null)
                {
                    // Unknown now: stop following the session, so the time reads Unknown rather than a stale state.
                    if (_trackers.TryGetValue(key, out IdleTracker old))
                    {
                        Add(lines, user, old.Stop(nowUtc));
                        _trackers.Remove(key);
                    }
                    continue;
                }

                bool locked = m.Locked == true;
                if (!_trackers.TryGetValue(key, out IdleTracker tracker))
                {
                    tracker = new IdleTracker(session, Threshold);
                    _trackers.Add(key, tracker);
                }
                IdleLogLine? line = tracker.Sample(nowUtc, m.Idle.Value, locked);
                if (line.HasValue) Add(lines, user, line.Value);
                latest[user].Add(new LatestSample(nowUtc, m.Idle.Value, locked, session));
            }

            foreach (var key in _trackers.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                Add(lines, key.User, _trackers[key].Stop(nowUtc));
                _trackers.Remove(key);
            }

            foreach (var pair in lines) AppendLog(pair.Key, pair.Value);
            WriteLatest(latest);
            RotateIfDue(nowUtc);
        }

        /// <summary>A stop line (X) for every followed session; the .now files stay, their age tells that the sampler stopped.</summary>
        public void StopAll(DateTime nowUtc)
        {
            var lines = new Dictionary<string, List<IdleLogLine>>(StringComparer.Ordinal);
            foreach (var pair in _trackers) Add(lines, pair.Key.User, pair.Value.Stop(nowUtc));
            _trackers.Clear();
            foreach (var pair in lines) AppendLog(pair.Key, pair.Value);
        }

        /// <summary>The sessions followed now, as (user, session id).</summary>
        public IReadOnlyCollection<(string User, string Session)> Followed => _trackers.Keys.ToList();

        private static void Add(Dictionary<string, List<IdleLogLine>> lines, string user, IdleLogLine line)
        {
            if (!lines.TryGetValue(user, out var list)) lines[user] = list = new List<IdleLogLine>();
            list.Add(line);
        }

        private void AppendLog(string user, List<IdleLogLine> lines)
        {
            try { IdleLog.Append(LogPath(user), lines); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                _warn($"Idle sampler: {LogPath(user)} could not be written: {e.Message}");
            }
        }

        private void WriteLatest(Dictionary<string, List<LatestSample>> latest)
        {
            foreach (var pair in latest)
            {
                try
                {
                    Directory.CreateDirectory(LogDirectory);
                    LatestSampleFile.Write(LatestPath(pair.Key), pair.Value);
                    _nowFiles.Add(pair.Key);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    _warn($"Idle sampler: {LatestPath(pair.Key)} could not be written: {e.Message}");
                }
            }
            // A user whose last session ended: no current view any more.
            foreach (string user in _nowFiles.Where(u => !latest.ContainsKey(u)).ToList())
            {
                try { File.Delete(LatestPath(user)); _nowFiles.Remove(user); }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { }
            }
        }

        private void RotateIfDue(DateTime nowUtc)
        {
            if (_lastRotation.HasValue && nowUtc - _lastRotation.Value < RotationInterval && nowUtc >= _lastRotation.Value) return;
            _lastRotation = nowUtc;
            if (!Directory.Exists(LogDirectory)) return;
            foreach (string file in Directory.GetFiles(LogDirectory, "*" + LogExtension))
            {
                if (!IsValidUserName(Path.GetFileNameWithoutExtension(file))) continue;
                try { IdleLog.Rotate(file, nowUtc, Retention); }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    _warn($"Idle sampler: {file} could not be rotated: {e.Message}");
                }
            }
        }

        private void RefreshExclude()
        {
            DateTime? stamp = null;
            try { if (File.Exists(ExcludeFile)) stamp = File.GetLastWriteTimeUtc(ExcludeFile); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { }
            if (stamp == _excludeFileStamp && _exclude != null) return;
            _excludeFileStamp = stamp;
            var set = new HashSet<string>(_excludeGiven, StringComparer.Ordinal);
            if (stamp.HasValue)
            {
                try
                {
                    foreach (string name in ParseExcludeList(File.ReadAllText(ExcludeFile))) set.Add(name);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    _warn($"Idle sampler: {ExcludeFile} could not be read: {e.Message}");
                }
            }
            _exclude = set;
        }

        /// <summary>The exclude file: one user name per line; blank lines and '#' comments are skipped.</summary>
        public static List<string> ParseExcludeList(string text)
        {
            var names = new List<string>();
            foreach (string raw in (text ?? "").Split('\n'))
            {
                string line = raw.Trim();
                if (line.Length == 0 || line[0] == '#') continue;
                names.Add(line);
            }
            return names;
        }

        private void WarnOnce(string key, string message)
        {
            if (_warned.Add(key)) _warn(message);
        }
    }
}
