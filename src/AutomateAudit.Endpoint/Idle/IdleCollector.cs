using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using AutomateAudit.Endpoint.Idle.Linux;
using AutomateAudit.Endpoint.Idle.Windows;
using AutomateAudit.Endpoint.Platform;
using AutomateAudit.Endpoint.Platform.Windows;

namespace AutomateAudit.Endpoint.Idle
{
    /// <summary>
    /// What Get-IdleSample reports, from every source this machine has: the module's sampler (its current-sample
    /// file and its history log), IdleMon's idletime.json files, and on Linux the terminals and logind directly.
    /// The sampler's figure wins while it is running; then IdleMon's, unless its file is stale; then what the OS
    /// gives the collector itself. Runs as SYSTEM or root.
    /// </summary>
    internal sealed class IdleCollector
    {
        private readonly string _profileRoot;
        private readonly string _logDirectory;
        private readonly string _utmpPath;
        private readonly bool _windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <param name="profileRoot">Windows: the profiles folder (C:\Users); also where IdleMon files are looked for. Null: the default (none on Linux).</param>
        /// <param name="logDirectory">Linux: the sampler's folder (/var/lib/automateaudit/idle).</param>
        /// <param name="utmpPath">Linux: another utmp file, as Get-UserSession -UtmpPath.</param>
        public IdleCollector(string profileRoot, string logDirectory, string utmpPath = null)
        {
            _utmpPath = utmpPath;
            if (!_windows && !RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                throw new PlatformNotSupportedException("AutomateAudit does not read idle time on " + RuntimeInformation.OSDescription + " yet: Windows and Linux endpoints are supported.");
            _profileRoot = profileRoot ?? (_windows ? IdleSamplerPaths.DefaultProfileRoot() : null);
            _logDirectory = logDirectory ?? LinuxIdleSampler.DefaultLogDirectory;
        }

        public List<IdleSample> Current(DateTime nowUtc, List<string> warnings)
        {
            List<IdleSample> samples = _windows ? WindowsSamples(nowUtc) : LinuxSamples(nowUtc);
            if (_profileRoot == null || !Directory.Exists(_profileRoot)) return samples;
            // IdleMon fills in for users the sampler does not cover (existing ProVal deployments report on day one).
            foreach (var (idleMon, stale) in IdleMonFiles.Read(_profileRoot, nowUtc, warnings))
            {
                IdleSample covered = samples.FirstOrDefault(s => string.Equals(s.UserName, idleMon.UserName, StringComparison.OrdinalIgnoreCase));
                if (covered != null && covered.SamplerRunning) continue;
                if (stale)
                {
                    warnings.Add("Skipped IdleMon's file of " + idleMon.UserName + ": not written since " + idleMon.Timestamp.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " (IdleMon is not running for this user).");
                    continue;
                }
                if (covered != null)
                {
                    covered.IdleTime = idleMon.IdleTime;
                    covered.Source = IdleSource.IdleMon;
                    covered.Timestamp = idleMon.Timestamp;
                }
                else if (_windows) warnings.Add("IdleMon reports " + idleMon.UserName + ", who has no session now: left out.");
            }
            return samples;
        }

        private List<IdleSample> WindowsSamples(DateTime nowUtc)
        {
            var machine = new WindowsMachineInfo();
            var samples = new List<IdleSample>();
            foreach (UserSession s in new WindowsSessionSource(machine).GetSessions(false))
            {
                int.TryParse(s.SessionId, NumberStyles.None, CultureInfo.InvariantCulture, out int sessionId);
                AdminFlags admin = WindowsTokenAdmin.ForSession(sessionId);
                var sample = new IdleSample
                {
                    ComputerName = s.ComputerName, AgentId = s.AgentId, UserName = s.UserName, Domain = s.Domain, SessionId = s.SessionId,
                    Timestamp = nowUtc.ToLocalTime(), IdleTime = s.IdleTime, IsLocked = s.IsLocked, Source = IdleSource.Sampler,
                    IsAdmin = admin?.IsAdmin, IsDomainAdmin = admin?.IsDomainAdmin, IsEnterpriseAdmin = admin?.IsEnterpriseAdmin,
                };
                string folder = UserFolder(s.UserName);
                var now = folder == null ? null : IdleNow.Read(Path.Combine(folder, IdleNow.FileName));
                if (now.HasValue)
                {
                    sample.SamplerLastWrite = now.Value.WrittenUtc.ToLocalTime();
                    sample.SamplerRunning = LatestSampleFile.IsRunning(now.Value.WrittenUtc, nowUtc) && now.Value.Sample.SessionId == sessionId;
                    if (sample.SamplerRunning)
                    {
                        sample.IdleTime = now.Value.Sample.Idle;
                        sample.IsLocked = now.Value.Sample.Locked;
                        sample.Timestamp = now.Value.Sample.Utc.ToLocalTime();
                    }
                }
                samples.Add(sample);
            }
            return samples;
        }

        private List<IdleSample> LinuxSamples(DateTime nowUtc)
        {
            var probe = _utmpPath == null ? new LinuxIdleProbe() : new LinuxIdleProbe(new Platform.Linux.LinuxSessionSource(_utmpPath));
            var samples = probe.GetSamples(LinuxAdminGroups.Load()).ToList();
            var latest = Directory.Exists(_logDirectory) ? LatestSampleFile.ReadDirectory(_logDirectory) : new Dictionary<string, List<LatestSample>>();
            foreach (IdleSample sample in samples)
            {
                if (sample.UserName == null || !latest.TryGetValue(sample.UserName, out List<LatestSample> mine)) continue;
                DateTime? written = LatestSampleFile.LastWriteUtc(mine);
                sample.SamplerLastWrite = written?.ToLocalTime();
                // A sampler that stopped (its last line for this session says so) is not running, however fresh its files.
                string log = Path.Combine(_logDirectory, sample.UserName + LinuxIdleSampler.LogExtension);
                var last = IdleLog.Read(log).Where(l => l.SessionId == sample.SessionId).OrderBy(l => l.Utc).ToList();
                bool stopped = last.Count > 0 && last[last.Count - 1].Mark == IdleMark.Stopped;
                sample.SamplerRunning = !stopped && LatestSampleFile.IsRunning(written, nowUtc);
                var match = mine.Where(m => m.SessionId == sample.SessionId).ToList();
                if (sample.SamplerRunning && match.Count > 0)
                {
                    sample.IdleTime = match[0].Idle;
                    sample.IsLocked = match[0].Locked;
                    sample.Source = IdleSource.Sampler;
                }
            }
            return samples;
        }

        /// <summary>Active, idle and unknown minutes per user, session and UTC hour since an instant, from the sampler's logs.</summary>
        public List<IdleHour> Hours(DateTime sinceUtc, DateTime nowUtc, string computerName)
        {
            var hours = new List<IdleHour>();
            foreach (var (user, log) in Logs())
            {
                foreach (var (session, hour, active, idle, unknown) in IdleHistory.Hourly(IdleLog.Read(log), sinceUtc, nowUtc))
                {
                    if (hour.AddHours(1) <= sinceUtc) continue;
                    hours.Add(new IdleHour { ComputerName = computerName, UserName = user, SessionId = session, HourUtc = hour, ActiveMinutes = active, IdleMinutes = idle, UnknownMinutes = unknown });
                }
            }
            return hours;
        }

        private IEnumerable<(string User, string Log)> Logs()
        {
            if (_windows)
            {
                if (_profileRoot == null || !Directory.Exists(_profileRoot)) yield break;
                foreach (string profile in Directory.GetDirectories(_profileRoot))
                {
                    string log = Path.Combine(profile, "AppData", "Local", IdleSamplerPaths.UserFolderName, "idle.log");
                    if (File.Exists(log)) yield return (Path.GetFileName(profile), log);
                }
                yield break;
            }
            if (!Directory.Exists(_logDirectory)) yield break;
            foreach (string log in Directory.GetFiles(_logDirectory, "*" + LinuxIdleSampler.LogExtension))
                yield return (Path.GetFileNameWithoutExtension(log), log);
        }

        private string UserFolder(string user) =>
            _profileRoot == null || string.IsNullOrEmpty(user) || user.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 ? null
                : IdleSamplerPaths.UserFolder(Path.Combine(_profileRoot, user, "AppData", "Local"));
    }
}
