using System.Collections.Generic;
using System.Linq;
using System.Text;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    /// <summary>Which computers a report covers. Names take PowerShell wildcards (*, ?; ` escapes).</summary>
    internal sealed class ComputerFilter
    {
        public int[] ComputerIds { get; set; }
        public string[] Client { get; set; }
        public string[] Location { get; set; }
        public string[] Computer { get; set; }

        /// <summary>No filter at all: the whole fleet, so reading a day for every computer at once wastes nothing.</summary>
        public bool IsWholeFleet => ComputerIds == null && (Client?.Length ?? 0) == 0 && (Location?.Length ?? 0) == 0 && (Computer?.Length ?? 0) == 0;

        public ComputerQuery ToQuery() => new ComputerQuery
        {
            ComputerIds = ComputerIds,
            ClientLike = Client?.Select(WildcardToLike).ToList(),
            LocationLike = Location?.Select(WildcardToLike).ToList(),
            ComputerLike = Computer?.Select(WildcardToLike).ToList(),
        };

        /// <summary>
        /// The filter values that name nothing in Automate: ComputerIDs that do not exist, and literal names
        /// (no wildcard) of no client, location or computer. A wildcard that matches nothing is not an
        /// error, as everywhere in PowerShell.
        /// </summary>
        public List<(string Kind, string Value)> Unmatched(ComputerStore computers)
        {
            var missing = new List<(string, string)>();
            if (ComputerIds != null && ComputerIds.Length > 0)
            {
                var found = computers.ExistingComputerIds(ComputerIds.Distinct().ToList());
                missing.AddRange(ComputerIds.Distinct().Where(id => !found.Contains(id)).Select(id => ("Computer", id.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            }
            AddUnmatched(missing, computers, NameKind.Client, Client);
            AddUnmatched(missing, computers, NameKind.Location, Location);
            AddUnmatched(missing, computers, NameKind.Computer, Computer);
            return missing;
        }

        private static void AddUnmatched(List<(string, string)> missing, ComputerStore computers, NameKind kind, string[] names)
        {
            var literals = names?.Where(n => !HasWildcard(n)).Distinct().ToList();
            if (literals == null || literals.Count == 0) return;
            var found = computers.ExistingNames(kind, literals.Select(Unescape).ToList());
            missing.AddRange(literals.Where(n => !found.Contains(Unescape(n))).Select(n => (kind.ToString(), Unescape(n))));
        }

        internal static bool HasWildcard(string pattern)
        {
            for (int i = 0; i < pattern.Length; i++)
            {
                if (pattern[i] == '`') { i++; continue; }
                if (pattern[i] == '*' || pattern[i] == '?') return true;
            }
            return false;
        }

        private static string Unescape(string pattern)
        {
            var text = new StringBuilder();
            for (int i = 0; i < pattern.Length; i++)
            {
                if (pattern[i] == '`' && i + 1 < pattern.Length) i++;
                text.Append(pattern[i]);
            }
            return text.ToString();
        }

        /// <summary>PowerShell wildcard (*, ?; [abc] is taken literally) to a LIKE pattern with \ as escape.</summary>
        internal static string WildcardToLike(string pattern)
        {
            var like = new StringBuilder();
            for (int i = 0; i < pattern.Length; i++)
            {
                char ch = pattern[i];
                if (ch == '`' && i + 1 < pattern.Length) { ch = pattern[++i]; AppendLiteral(like, ch); }
                else if (ch == '*') like.Append('%');
                else if (ch == '?') like.Append('_');
                else AppendLiteral(like, ch);
            }
            return like.ToString();
        }

        private static void AppendLiteral(StringBuilder like, char ch)
        {
            if (ch == '%' || ch == '_' || ch == '\\') like.Append('\\');
            like.Append(ch);
        }
    }
}
