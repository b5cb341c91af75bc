using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace AutomateAudit.Endpoint.Idle.Linux
{
    /// <summary>One line of a &lt;user&gt;.now file: the sampler's latest view of one session.</summary>
    internal struct LatestSample
    {
        public LatestSample(DateTime utc, TimeSpan idle, bool locked, string sessionId)
        {
            Utc = DateTime.SpecifyKind(new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
            Idle = idle < TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Floor(idle.TotalSeconds));
            Locked = locked;
            SessionId = sessionId;
        }

        public DateTime Utc { get; }
        public TimeSpan Idle { get; }
        public bool Locked { get; }
        public string SessionId { get; }

        public override string ToString() =>
            Utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) + " " +
            ((long)Idle.TotalSeconds).ToString(CultureInfo.InvariantCulture) + " " + (Locked ? "1" : "0") + " " + SessionId;
    }

    /// <summary>
    /// &lt;logDirectory&gt;/&lt;user&gt;.now: overwritten atomically (a new file renamed over the old) at every sample, one line
    /// per session of the user, "&lt;UTC ISO Z&gt; &lt;idle seconds&gt; &lt;locked 0/1&gt; &lt;session id&gt;", e.g.
    /// "2026-11-25T13:05:00Z 42 0 3". Get-IdleSample reads it for the sampler's current view and its health
    /// (SamplerLastWrite, SamplerRunning). The sampler deletes it when the user's last session ends; a sampler that
    /// stopped leaves it behind, and its age then says so.
    /// </summary>
    internal static class LatestSampleFile
    {
        public const string Extension = ".now";

        public static string Format(IEnumerable<LatestSample> samples)
        {
            var sb = new StringBuilder();
            foreach (LatestSample s in samples) sb.Append(s).Append('\n');
            return sb.ToString();
        }

        /// <summary>Every well-formed line; anything else is skipped.</summary>
        public static List<LatestSample> Parse(string text)
        {
            var list = new List<LatestSample>();
            foreach (string raw in (text ?? "").Split('\n'))
            {
                string[] f = raw.TrimEnd('\r').Split(' ');
                if (f.Length != 4 || f[3].Length == 0 || f[3].Length > 32) continue;
                if (!DateTime.TryParseExact(f[0], "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                        DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime utc)) continue;
                if (!long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out long seconds) || seconds > TimeSpan.MaxValue.TotalSeconds / 2) continue;
                if (f[2] != "0" && f[2] != "1") continue;
                if (!f[3].All(c => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) continue;
                list.Add(new LatestSample(utc, TimeSpan.FromSeconds(seconds), f[2] == "1", f[3]));
            }
            return list;
        }

        /// <summary>Writes path.tmp and renames it over path, so a reader sees the old file or the new one, never half of one.</summary>
        public static void Write(string path, IEnumerable<LatestSample> samples)
        {
            string temporary = path + ".tmp";
            File.WriteAllText(temporary, Format(samples), Encoding.ASCII);
            if (File.Exists(path)) File.Replace(temporary, path, null);
            else File.Move(temporary, path);
        }

        /// <summary>The lines of one file; empty when it does not exist or cannot be read.</summary>
        public static List<LatestSample> Read(string path)
        {
            try { return File.Exists(path) ? Parse(File.ReadAllText(path, Encoding.ASCII)) : new List<LatestSample>(); }
            catch (IOException) { return new List<LatestSample>(); }
            catch (UnauthorizedAccessException) { return new List<LatestSample>(); }
        }

        /// <summary>Every user's latest samples in a log directory (file name without .now = user name).</summary>
        public static Dictionary<string, List<LatestSample>> ReadDirectory(string logDirectory)
        {
            var result = new Dictionary<string, List<LatestSample>>(StringComparer.Ordinal);
            if (!Directory.Exists(logDirectory)) return result;
            foreach (string file in Directory.GetFiles(logDirectory, "*" + Extension))
            {
                string user = Path.GetFileNameWithoutExtension(file);
                if (!LinuxIdleSampler.IsValidUserName(user)) continue;
                result[user] = Read(file);
            }
            return result;
        }

        /// <summary>The sampler's last write for a user: the newest line's instant (Kind Utc), null when none.</summary>
        public static DateTime? LastWriteUtc(IEnumerable<LatestSample> samples)
        {
            DateTime? last = null;
            foreach (LatestSample s in samples) if (last == null || s.Utc > last) last = s.Utc;
            return last;
        }

        /// <summary>
        /// Whether the sampler counts as running: it wrote within the last two heartbeats (IdleSample's rule). The .now
        /// file is written every sample interval, so anything older than a few intervals already means trouble.
        /// </summary>
        public static bool IsRunning(DateTime? lastWriteUtc, DateTime nowUtc) =>
            lastWriteUtc.HasValue && nowUtc - lastWriteUtc.Value <= IdleLog.Heartbeat + IdleLog.Heartbeat;
    }
}
