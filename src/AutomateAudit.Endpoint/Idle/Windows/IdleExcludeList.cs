using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace AutomateAudit.Endpoint.Idle.Windows
{
    /// <summary>
    /// The users the sampler leaves alone: %ProgramData%\AutomateAudit\idle-exclude.txt, one "DOMAIN\user" or "user"
    /// a line, compared case-insensitively ("user" matches that name in any domain). Blank lines and lines starting
    /// with # are ignored. Written by Register-IdleSampler (as SYSTEM), read by the sampler (as the user).
    /// </summary>
    internal static class IdleExcludeList
    {
        public const string FileName = "idle-exclude.txt";
        /// <summary>The longest entry accepted (DOMAIN\user; user names are at most 20 characters, domain DNS names longer).</summary>
        public const int MaxEntryLength = 256;
        /// <summary>The sampler reads no more than this: a huge file is not a list an administrator wrote.</summary>
        public const int MaxFileBytes = 256 * 1024;

        /// <summary>Characters Windows does not allow in a user name (and so in either part of an entry).</summary>
        private static readonly char[] Forbidden = { '"', '/', '[', ']', ':', ';', '|', '=', ',', '+', '*', '?', '<', '>' };

        /// <summary>The entries of a file's text; malformed lines are skipped (the sampler cannot ask anyone).</summary>
        public static List<string> Parse(string text)
        {
            var entries = new List<string>();
            if (string.IsNullOrEmpty(text)) return entries;
            foreach (string raw in text.Split('\n'))
            {
                string line = raw.Trim().TrimStart('\uFEFF').Trim();
                if (line.Length == 0 || line[0] == '#') continue;
                if (Normalize(line, out string entry, out _) && !entries.Contains(entry, StringComparer.OrdinalIgnoreCase))
                    entries.Add(entry);
            }
            return entries;
        }

        /// <summary>Whether DOMAIN\user is excluded by the entries.</summary>
        public static bool IsExcluded(IEnumerable<string> entries, string domain, string user)
        {
            if (entries == null || string.IsNullOrWhiteSpace(user)) return false;
            user = user.Trim();
            domain = (domain ?? string.Empty).Trim();
            foreach (string entry in entries)
            {
                int slash = entry.IndexOf('\\');
                if (slash < 0)
                {
                    if (string.Equals(entry, user, StringComparison.OrdinalIgnoreCase)) return true;
                }
                else if (string.Equals(entry.Substring(slash + 1), user, StringComparison.OrdinalIgnoreCase)
                      && string.Equals(entry.Substring(0, slash), domain, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>
        /// The file's text for these users: validated (throws ArgumentException naming the first bad entry, before
        /// anything is written), trimmed, duplicates dropped, CRLF line ends.
        /// </summary>
        public static string Format(IEnumerable<string> users)
        {
            var text = new StringBuilder("# Users the AutomateAudit idle sampler does not monitor (DOMAIN\\user or user). Written by Register-IdleSampler.\r\n");
            foreach (string entry in Validate(users)) text.Append(entry).Append("\r\n");
            return text.ToString();
        }

        /// <summary>The entries, validated and normalized; throws ArgumentException for the first one that is not a user name.</summary>
        public static List<string> Validate(IEnumerable<string> users)
        {
            var entries = new List<string>();
            foreach (string user in users ?? Enumerable.Empty<string>())
            {
                if (!Normalize(user, out string entry, out string why))
                    throw new ArgumentException($"'{user}' is not a user name to exclude: {why}", nameof(users));
                if (!entries.Contains(entry, StringComparer.OrdinalIgnoreCase)) entries.Add(entry);
            }
            return entries;
        }

        /// <summary>Reads the file; a missing, unreadable or oversized file excludes nobody.</summary>
        public static List<string> Read(string path)
        {
            try
            {
                var info = new FileInfo(path);
                if (!info.Exists || info.Length > MaxFileBytes) return new List<string>();
                // Detects a UTF-8 or UTF-16 byte order mark (an administrator may edit the file by hand).
                return Parse(File.ReadAllText(path));
            }
            catch (IOException) { return new List<string>(); }
            catch (UnauthorizedAccessException) { return new List<string>(); }
        }

        /// <summary>
        /// Writes the file (or deletes it when nobody is excluded). Validates first. The new file is written beside it
        /// and moved in after the old one is deleted, so it takes the folder's permissions rather than keeping those of
        /// a file somebody else may have created there.
        /// </summary>
        public static void Write(string path, IEnumerable<string> users)
        {
            List<string> entries = Validate(users);
            if (entries.Count == 0)
            {
                if (File.Exists(path)) File.Delete(path);
                return;
            }
            string folder = Path.GetDirectoryName(Path.GetFullPath(path));
            Directory.CreateDirectory(folder);
            string temporary = path + ".tmp";
            File.WriteAllText(temporary, Format(entries), new UTF8Encoding(false));
            if (File.Exists(path)) File.Delete(path);
            File.Move(temporary, path);
        }

        private static bool Normalize(string text, out string entry, out string why)
        {
            entry = null;
            why = null;
            string value = (text ?? string.Empty).Trim();
            if (value.Length == 0) { why = "it is empty"; return false; }
            if (value.Length > MaxEntryLength) { why = $"it is longer than {MaxEntryLength} characters"; return false; }
            if (value.Any(char.IsControl)) { why = "it holds a control character"; return false; }
            if (value.IndexOfAny(Forbidden) >= 0) { why = "it holds a character Windows does not allow in a user name"; return false; }
            string[] parts = value.Split('\\');
            if (parts.Length > 2) { why = "it holds more than one backslash"; return false; }
            if (parts.Any(p => p.Trim().Length == 0 || p.Trim() != p)) { why = "the domain or the user part is empty or padded"; return false; }
            if (parts[parts.Length - 1].All(c => c == '.')) { why = "a user name cannot be only dots"; return false; }
            entry = value;
            return true;
        }
    }
}
