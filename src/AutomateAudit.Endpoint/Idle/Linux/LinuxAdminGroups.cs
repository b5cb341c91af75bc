using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace AutomateAudit.Endpoint.Idle.Linux
{
    /// <summary>One /etc/passwd entry (the fields the admin check needs).</summary>
    internal sealed class PasswdEntry
    {
        public string Name { get; set; }
        public long Uid { get; set; }
        public long Gid { get; set; }
    }

    /// <summary>One /etc/group entry.</summary>
    internal sealed class GroupEntry
    {
        public string Name { get; set; }
        public long Gid { get; set; }
        public IReadOnlyList<string> Members { get; set; } = new string[0];
    }

    /// <summary>
    /// IsAdmin on Linux, from the local account files as root reads them: uid 0, or a member of sudo, wheel or
    /// admin, either as the primary group (passwd's gid) or listed on the group's line. A user found in neither file
    /// (a directory account whose groups come from sssd/winbind through NSS) is unknown (null); a user in
    /// /etc/passwd and in no admin group is false. Domain and enterprise admin flags do not exist on Linux (null).
    /// Only the files are read: no NSS, no child process.
    /// </summary>
    internal sealed class LinuxAdminGroups
    {
        public const string DefaultPasswdPath = "/etc/passwd";
        public const string DefaultGroupPath = "/etc/group";
        public static readonly IReadOnlyList<string> AdminGroupNames = new[] { "sudo", "wheel", "admin" };

        private readonly Dictionary<string, PasswdEntry> _users;
        private readonly List<GroupEntry> _adminGroups;

        public LinuxAdminGroups(IEnumerable<PasswdEntry> users, IEnumerable<GroupEntry> groups)
        {
            _users = new Dictionary<string, PasswdEntry>(StringComparer.Ordinal);
            foreach (PasswdEntry u in users ?? Enumerable.Empty<PasswdEntry>())
            {
                if (!_users.ContainsKey(u.Name)) _users.Add(u.Name, u); // the first entry wins, as getpwnam
            }
            _adminGroups = (groups ?? Enumerable.Empty<GroupEntry>()).Where(g => AdminGroupNames.Contains(g.Name, StringComparer.Ordinal)).ToList();
        }

        /// <summary>Reads both files; a missing or unreadable file counts as empty.</summary>
        public static LinuxAdminGroups Load(string passwdPath = null, string groupPath = null) =>
            new LinuxAdminGroups(ParsePasswd(ReadOrEmpty(passwdPath ?? DefaultPasswdPath)), ParseGroup(ReadOrEmpty(groupPath ?? DefaultGroupPath)));

        /// <summary>true: uid 0 or an admin group member; false: a local account in no admin group; null: unknown here.</summary>
        public bool? IsAdmin(string userName)
        {
            if (string.IsNullOrEmpty(userName)) return null;
            _users.TryGetValue(userName, out PasswdEntry user);
            if (user != null && (user.Uid == 0 || _adminGroups.Any(g => g.Gid == user.Gid))) return true;
            if (_adminGroups.Any(g => g.Members.Contains(userName, StringComparer.Ordinal))) return true;
            return user != null ? false : (bool?)null;
        }

        /// <summary>Lines "name:password:uid:gid:gecos:home:shell"; comments, blank lines, NIS "+"/"-" lines and malformed lines are skipped.</summary>
        public static List<PasswdEntry> ParsePasswd(string text)
        {
            var list = new List<PasswdEntry>();
            foreach (string[] f in Fields(text))
            {
                if (f.Length < 4 || !Id(f[2], out long uid) || !Id(f[3], out long gid)) continue;
                list.Add(new PasswdEntry { Name = f[0], Uid = uid, Gid = gid });
            }
            return list;
        }

        /// <summary>Lines "name:password:gid:member,member"; skipped as in <see cref="ParsePasswd"/>.</summary>
        public static List<GroupEntry> ParseGroup(string text)
        {
            var list = new List<GroupEntry>();
            foreach (string[] f in Fields(text))
            {
                if (f.Length < 3 || !Id(f[2], out long gid)) continue;
                string members = f.Length > 3 ? f[3] : "";
                list.Add(new GroupEntry
                {
                    Name = f[0],
                    Gid = gid,
                    Members = members.Split(',').Select(m => m.Trim()).Where(m => m.Length > 0).ToArray(),
                });
            }
            return list;
        }

        private static IEnumerable<string[]> Fields(string text)
        {
            foreach (string raw in (text ?? "").Split('\n'))
            {
                string line = raw.TrimEnd('\r');
                if (line.Length == 0 || line[0] == '#' || line[0] == '+' || line[0] == '-') continue;
                string[] f = line.Split(':');
                if (f[0].Length == 0) continue;
                yield return f;
            }
        }

        private static bool Id(string s, out long id) =>
            long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id <= uint.MaxValue;

        private static string ReadOrEmpty(string path)
        {
            try { return File.Exists(path) ? File.ReadAllText(path) : ""; }
            catch (IOException) { return ""; }
            catch (UnauthorizedAccessException) { return ""; }
        }
    }
}
