using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace AutomateAudit.Endpoint.Idle.Windows
{
    /// <summary>
    /// The sampler's current reading, %LOCALAPPDATA%\AutomateAudit\idle.now: one line
    /// "&lt;UTC ISO 8601 Z&gt; &lt;idle seconds&gt; &lt;locked 0/1&gt; &lt;session id&gt;", for example
    /// "2026-11-25T13:05:00Z 37 0 3", overwritten every sample so that SYSTEM can read the idle time of a session it
    /// cannot ask Windows about. The user's own process writes it: it is self-reported, parsed strictly, and a reader
    /// should also compare the timestamp with the file's write time and with now.
    /// </summary>
    internal struct IdleNow
    {
        public const string FileName = "idle.now";
        private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";
        /// <summary>The largest idle time accepted (a little over the 49.7 days 32-bit ticks can express).</summary>
        public const long MaxIdleSeconds = 60L * 86400;
        /// <summary>No valid line is longer (20 + 1 + 7 + 1 + 1 + 1 + 10); a reader reads no more than this.</summary>
        public const int MaxLineLength = 64;

        public IdleNow(DateTime utc, TimeSpan idle, bool locked, int sessionId)
        {
            if (idle < TimeSpan.Zero) idle = TimeSpan.Zero;
            if (sessionId < 0) throw new ArgumentOutOfRangeException(nameof(sessionId));
            Utc = DateTime.SpecifyKind(new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
            IdleSeconds = Math.Min((long)Math.Floor(idle.TotalSeconds), MaxIdleSeconds);
            Locked = locked;
            SessionId = sessionId;
        }

        /// <summary>When the sample was taken, to the second (Kind Utc).</summary>
        public DateTime Utc { get; }
        public long IdleSeconds { get; }
        public TimeSpan Idle => TimeSpan.FromSeconds(IdleSeconds);
        public bool Locked { get; }
        public int SessionId { get; }

        public override string ToString() =>
            Utc.ToString(TimeFormat, CultureInfo.InvariantCulture) + " " +
            IdleSeconds.ToString(CultureInfo.InvariantCulture) + " " + (Locked ? "1" : "0") + " " +
            SessionId.ToString(CultureInfo.InvariantCulture);

        /// <summary>The line as the sampler writes it (a trailing CR/LF allowed), or null for anything else.</summary>
        public static IdleNow? Parse(string text)
        {
            if (text == null) return null;
            text = text.TrimEnd('\r', '\n');
            if (text.Length == 0 || text.Length > MaxLineLength) return null;
            string[] parts = text.Split(' ');
            if (parts.Length != 4) return null;
            if (!DateTime.TryParseExact(parts[0], TimeFormat, CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime utc)) return null;
            if (!Digits(parts[1], 7) || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long seconds)
                || seconds > MaxIdleSeconds) return null;
            if (parts[2] != "0" && parts[2] != "1") return null;
            if (!Digits(parts[3], 10) || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out int session)) return null;
            return new IdleNow(utc, TimeSpan.FromSeconds(seconds), parts[2] == "1", session);
        }

        /// <summary>
        /// Overwrites the file atomically: the line goes to path + ".tmp", which then replaces the file (File.Replace,
        /// or File.Move the first time), so a reader sees the old line or the new one, never half of one. False when
        /// the file could not be replaced this time (a reader holding it without FILE_SHARE_DELETE): the next sample
        /// writes again.
        /// </summary>
        public static bool Write(string path, IdleNow sample)
        {
            string temporary = path + ".tmp";
            try
            {
                File.WriteAllText(temporary, sample + "\n", Encoding.ASCII);
                if (File.Exists(path)) File.Replace(temporary, path, null);
                else File.Move(temporary, path);
                return true;
            }
            catch (IOException) { return false; }
            catch (UnauthorizedAccessException) { return false; }
        }

        /// <summary>The file's line and its last write time (UTC); null when it is absent, unreadable or malformed.</summary>
        public static (IdleNow Sample, DateTime WrittenUtc)? Read(string path)
        {
            try
            {
                using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                {
                    var buffer = new byte[MaxLineLength + 2];
                    int length = 0, read;
                    while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0) length += read;
                    if (length > MaxLineLength + 1) return null;
                    for (int i = 0; i < length; i++) if (buffer[i] > 0x7E) return null;
                    IdleNow? sample = Parse(Encoding.ASCII.GetString(buffer, 0, length));
                    if (sample == null) return null;
                    return (sample.Value, File.GetLastWriteTimeUtc(path));
                }
            }
            catch (IOException) { return null; }
            catch (UnauthorizedAccessException) { return null; }
        }

        private static bool Digits(string text, int maxLength)
        {
            if (text.Length == 0 || text.Length > maxLength) return false;
            foreach (char c in text) if (c < '0' || c > '9') return false;
            return true;
        }
    }
}
