using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace AutomateAudit.Endpoint.Platform.Linux
{
    /// <summary>
    /// One systemd-logind session, as its state file /run/systemd/sessions/&lt;id&gt; describes it.
    /// <para>
    /// What session_save() in systemd's src/login/logind-session.c writes (read from systemd main, 2025): a
    /// "# This is private data. Do not parse." line, then UID, USER, ACTIVE (0/1), IS_DISPLAY (0/1), STATE
    /// (online | active | closing), REMOTE (0/1), and where set TYPE (unspecified | tty | x11 | wayland | mir | web),
    /// ORIGINAL_TYPE, CLASS (user | user-early | user-incomplete | user-light | greeter | lock-screen | background |
    /// background-light | manager | manager-early ...), SCOPE, SCOPE_JOB, FIFO, SEAT, TTY, TTY_VALIDITY, DISPLAY,
    /// REMOTE_HOST, REMOTE_USER, SERVICE, DESKTOP (these four C-escaped with cescape()), VTNR, POSITION, LEADER,
    /// AUDIT, REALTIME and MONOTONIC (microseconds; REALTIME since the Unix epoch), CONTROLLER, DEVICES.
    /// </para>
    /// <para>
    /// The file says "do not parse", but libsystemd's own sd-login API (sd_session_get_state, _get_tty, ...) reads
    /// exactly these files with parse_env_file(), so this is the same contract sd-login relies on, without loading
    /// libsystemd or starting loginctl. Idle (IdleHint, IdleSinceHint) and LockedHint are NOT in the file: logind keeps
    /// them in memory and publishes them only over D-Bus, so they are not read here.
    /// </para>
    /// </summary>
    internal sealed class LogindSession
    {
        public string Id { get; set; }
        public int? Uid { get; set; }
        public string User { get; set; }
        public bool? Active { get; set; }
        public bool? IsDisplay { get; set; }
        /// <summary>online, active or closing.</summary>
        public string State { get; set; }
        public bool? Remote { get; set; }
        /// <summary>tty, x11, wayland, mir, web or unspecified.</summary>
        public string Type { get; set; }
        /// <summary>user, greeter, lock-screen, background, manager ...</summary>
        public string Class { get; set; }
        public string Scope { get; set; }
        public string Seat { get; set; }
        /// <summary>The terminal without "/dev/" (tty2, pts/0), where logind knows one.</summary>
        public string Tty { get; set; }
        public string Display { get; set; }
        public string RemoteHost { get; set; }
        public string RemoteUser { get; set; }
        public string Service { get; set; }
        public string Desktop { get; set; }
        public int? VtNr { get; set; }
        public int? Leader { get; set; }
        /// <summary>When the session started (REALTIME), Kind Utc.</summary>
        public DateTime? StartedUtc { get; set; }
        /// <summary>Every key=value line, unescaped, for whatever is not modelled above.</summary>
        public IReadOnlyDictionary<string, string> Values { get; set; } = new Dictionary<string, string>();

        public bool IsGraphical =>
            string.Equals(Type, "x11", StringComparison.Ordinal) ||
            string.Equals(Type, "wayland", StringComparison.Ordinal) ||
            string.Equals(Type, "mir", StringComparison.Ordinal);

        /// <summary>A session of a person (class user, or no class recorded); not greeter, lock-screen, background or manager.</summary>
        public bool IsUserClass => Class == null || Class.Length == 0 || Class.StartsWith("user", StringComparison.Ordinal);
    }

    /// <summary>A pure parser of logind's session state files (text in, values out), plus a directory reader.</summary>
    internal static class LogindSessionFile
    {
        private static readonly DateTime Epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        public static LogindSession Parse(string id, string text)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            using (var reader = new StringReader(text ?? ""))
            {
                string line;
                while ((line = reader.ReadLine()) != null)
                {
                    string t = line.Trim();
                    if (t.Length == 0 || t[0] == '#' || t[0] == ';') continue;
                    int eq = t.IndexOf('=');
                    if (eq <= 0) continue;
                    string key = t.Substring(0, eq).Trim();
                    string value = Unescape(Unquote(t.Substring(eq + 1).Trim()));
                    values[key] = value;
                }
            }

            var s = new LogindSession { Id = id, Values = values };
            s.Uid = Int(values, "UID");
            s.User = Str(values, "USER");
            s.Active = Bool(values, "ACTIVE");
            s.IsDisplay = Bool(values, "IS_DISPLAY");
            s.State = Str(values, "STATE");
            s.Remote = Bool(values, "REMOTE");
            s.Type = Str(values, "TYPE");
            s.Class = Str(values, "CLASS");
            s.Scope = Str(values, "SCOPE");
            s.Seat = Str(values, "SEAT");
            s.Tty = NormalizeTty(Str(values, "TTY"));
            s.Display = Str(values, "DISPLAY");
            s.RemoteHost = Str(values, "REMOTE_HOST");
            s.RemoteUser = Str(values, "REMOTE_USER");
            s.Service = Str(values, "SERVICE");
            s.Desktop = Str(values, "DESKTOP");
            s.VtNr = Int(values, "VTNR");
            s.Leader = Int(values, "LEADER");
            if (values.TryGetValue("REALTIME", out string rt) &&
                ulong.TryParse(rt, NumberStyles.None, CultureInfo.InvariantCulture, out ulong usec) && usec > 0)
            {
                try { s.StartedUtc = Epoch.AddTicks(checked((long)usec * 10)); }
                catch (OverflowException) { }
                catch (ArgumentOutOfRangeException) { }
            }
            return s;
        }

        /// <summary>
        /// Every session file in the directory. Names starting with "." are logind's temporary files (fopen_temporary)
        /// and are skipped; a file that vanishes or cannot be read between listing and reading is skipped too.
        /// A missing directory gives an empty list.
        /// </summary>
        public static IReadOnlyList<LogindSession> ReadDirectory(string directory)
        {
            var list = new List<LogindSession>();
            if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory)) return list;
            string[] files;
            try { files = Directory.GetFiles(directory); }
            catch (IOException) { return list; }
            catch (UnauthorizedAccessException) { return list; }
            Array.Sort(files, StringComparer.Ordinal);
            foreach (string path in files)
            {
                string name = Path.GetFileName(path);
                if (name.Length == 0 || name[0] == '.') continue;
                string text;
                try { text = File.ReadAllText(path); }
                catch (IOException) { continue; }
                catch (UnauthorizedAccessException) { continue; }
                list.Add(Parse(name, text));
            }
            return list;
        }

        internal static string NormalizeTty(string tty)
        {
            if (string.IsNullOrEmpty(tty)) return null;
            return tty.StartsWith("/dev/", StringComparison.Ordinal) ? tty.Substring(5) : tty;
        }

        private static string Str(Dictionary<string, string> v, string key) =>
            v.TryGetValue(key, out string s) && s.Length > 0 ? s : null;

        private static int? Int(Dictionary<string, string> v, string key) =>
            v.TryGetValue(key, out string s) && int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i) ? i : (int?)null;

        /// <summary>systemd's parse_boolean: 1/yes/y/true/t/on and 0/no/n/false/f/off.</summary>
        private static bool? Bool(Dictionary<string, string> v, string key)
        {
            if (!v.TryGetValue(key, out string s)) return null;
            switch (s.ToLowerInvariant())
            {
                case "1": case "yes": case "y": case "true": case "t": case "on": return true;
                case "0": case "no": case "n": case "false": case "f": case "off": return false;
                default: return null;
            }
        }

        private static string Unquote(string v)
        {
            if (v.Length >= 2 && ((v[0] == '"' && v[v.Length - 1] == '"') || (v[0] == '\'' && v[v.Length - 1] == '\'')))
                return v.Substring(1, v.Length - 2);
            return v;
        }

        /// <summary>
        /// Undoes systemd's cescape(): \a \b \f \n \r \t \v \\ \" \' and \xNN (bytes, so UTF-8 sequences decode as
        /// text), plus octal \NNN for good measure. Unknown escapes are kept as written.
        /// </summary>
        internal static string Unescape(string s)
        {
            if (s.IndexOf('\\') < 0) return s;
            var bytes = new List<byte>(s.Length);
            var one = new char[1];
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                {
                    bytes.AddRange(Encoding.UTF8.GetBytes(s.Substring(i, 2)));
                    i++;
                    continue;
                }
                if (c != '\\' || i + 1 >= s.Length) { AddChar(bytes, c, one); continue; }
                char e = s[++i];
                switch (e)
                {
                    case 'a': bytes.Add(7); break;
                    case 'b': bytes.Add(8); break;
                    case 'f': bytes.Add(12); break;
                    case 'n': bytes.Add(10); break;
                    case 'r': bytes.Add(13); break;
                    case 't': bytes.Add(9); break;
                    case 'v': bytes.Add(11); break;
                    case '\\': bytes.Add((byte)'\\'); break;
                    case '"': bytes.Add((byte)'"'); break;
                    case '\'': bytes.Add((byte)'\''); break;
                    case 'x':
                        if (i + 2 < s.Length && IsHex(s[i + 1]) && IsHex(s[i + 2]))
                        {
                            bytes.Add((byte)Convert.ToInt32(s.Substring(i + 1, 2), 16));
                            i += 2;
                        }
                        else { AddChar(bytes, '\\', one); AddChar(bytes, 'x', one); }
                        break;
                    default:
                        if (e >= '0' && e <= '7' && i + 2 < s.Length && s[i + 1] >= '0' && s[i + 1] <= '7' && s[i + 2] >= '0' && s[i + 2] <= '7')
                        {
                            bytes.Add((byte)Convert.ToInt32(s.Substring(i, 3), 8));
                            i += 2;
                        }
                        else { AddChar(bytes, '\\', one); AddChar(bytes, e, one); }
                        break;
                }
            }
            return Encoding.UTF8.GetString(bytes.ToArray());
        }

        private static bool IsHex(char c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

        private static void AddChar(List<byte> bytes, char c, char[] one)
        {
            if (c < 0x80) { bytes.Add((byte)c); return; }
            one[0] = c;
            bytes.AddRange(Encoding.UTF8.GetBytes(one));
        }
    }
}
