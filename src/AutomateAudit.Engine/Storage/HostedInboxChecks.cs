using System.Collections.Generic;
using System.Linq;
using System.Text;
using AutomateAudit.Endpoint;
using static AutomateAudit.Storage.HostedInboxDecode;
using static AutomateAudit.Storage.HostedInboxSql;

namespace AutomateAudit.Storage
{
    /// <summary>
    /// SessionValidator.Validate and IdleSaver.Check as SQL (helper procedures of aa_import_inbox): every check, in
    /// the order the module makes them, each refusal given a position so that the first one the module would report
    /// is the one reported. The members are read with JSON_TABLE into a temporary table per array, typed by the same
    /// rules as SessionJson and IdleJson, then checked set-based.
    /// </summary>
    internal static class HostedInboxChecks
    {
        public const string SessionsName = "aa_inbox_check_sessions";
        public const string IdleName = "aa_inbox_check_idle";
        public const string LimitsTable = "aa_tmp_proc_limits";

        internal enum T { Text, Int, Bool, Ident, Date, Enum, Duration }

        internal sealed class Member
        {
            public Member(string name, T type, int step, bool required = false, string[] names = null) { Name = name; Type = type; Step = step; Required = required; Names = names; }
            public string Name { get; }
            public T Type { get; }
            /// <summary>Its place among the item's checks (SessionJson reads the members in this order).</summary>
            public int Step { get; }
            public bool Required { get; }
            public string[] Names { get; }
        }

        /// <summary>One array of the envelope read into a temporary table: items, events or hours.</summary>
        internal sealed class Part
        {
            public string Table, Label, Finals;
            public int Number;
            public long Base;
            public Member[] Members;
            public string Where => "CONCAT('" + Label + "[', ord, ']')";
            public string Pos(int step) => "(" + Base + " + ord * 100 + " + step + ")";
        }

        private static readonly string[] States = System.Enum.GetNames(typeof(UserSessionState));
        private static readonly string[] EventKinds = System.Enum.GetNames(typeof(SessionEventKind));
        private static readonly string[] Sources = System.Enum.GetNames(typeof(IdleSource));

        internal static readonly Part Sessions = new Part
        {
            Table = "aa_tmp_proc_sessions", Label = "items", Number = 1, Base = 1000,
            Members = new[]
            {
                new Member("ComputerName", T.Text, 1), new Member("AgentId", T.Int, 2), new Member("UserName", T.Text, 3), new Member("Domain", T.Text, 4),
                new Member("SessionId", T.Ident, 5), new Member("SessionName", T.Text, 6), new Member("State", T.Enum, 7, true, States),
                new Member("ClientName", T.Text, 8), new Member("ClientAddress", T.Text, 9), new Member("LogonTime", T.Date, 10), new Member("ConnectTime", T.Date, 11),
                new Member("DisconnectTime", T.Date, 12), new Member("LastInputTime", T.Date, 13), new Member("IdleTime", T.Duration, 14),
                new Member("SessionLength", T.Int, 15), new Member("IsConsole", T.Bool, 16), new Member("IsLocked", T.Bool, 17),
            },
            Finals = "computer_name " + TextColumn + ", session_id " + TextColumn + ", user_name " + TextColumn + ", domain " + TextColumn + ", session_name " + TextColumn +
                ", state VARCHAR(16) NULL, client_name " + TextColumn + ", client_address " + TextColumn + ", logon_utc DATETIME(6) NULL, logon7 TINYINT NULL, " +
                "connect_utc DATETIME(6) NULL, disconnect_utc DATETIME(6) NULL, last_input_utc DATETIME(6) NULL, idle_seconds BIGINT NULL, session_minutes BIGINT NULL, " +
                "is_console TINYINT NULL, is_locked TINYINT NULL",
        };

        internal static readonly Part Events = new Part
        {
            Table = "aa_tmp_proc_events", Label = "events", Number = 2, Base = 400000,
            Members = new[]
            {
                new Member("UserName", T.Text, 1), new Member("Domain", T.Text, 2), new Member("SessionId", T.Ident, 3), new Member("SessionName", T.Text, 4),
                new Member("Kind", T.Enum, 5, true, EventKinds), new Member("TimeCreated", T.Date, 6, true), new Member("ClientAddress", T.Text, 7), new Member("Source", T.Text, 8),
            },
            Finals = "session_id " + TextColumn + ", user_name " + TextColumn + ", domain " + TextColumn + ", kind VARCHAR(16) NULL, time_utc DATETIME(6) NULL",
        };

        internal static readonly Part Samples = new Part
        {
            Table = "aa_tmp_proc_samples", Label = "items", Number = 3, Base = 1000,
            Members = new[]
            {
                new Member("ComputerName", T.Text, 1), new Member("AgentId", T.Int, 2), new Member("UserName", T.Text, 3), new Member("Domain", T.Text, 4),
                new Member("SessionId", T.Text, 5), new Member("Timestamp", T.Date, 6, true), new Member("IdleTime", T.Duration, 7), new Member("Source", T.Enum, 8, true, Sources),
                new Member("IsLocked", T.Bool, 9), new Member("SamplerRunning", T.Bool, 10), new Member("SamplerLastWrite", T.Date, 11), new Member("IsAdmin", T.Bool, 12),
                new Member("IsDomainAdmin", T.Bool, 13), new Member("IsEnterpriseAdmin", T.Bool, 14),
            },
            Finals = "user_name " + TextColumn + ", domain " + TextColumn + ", idle_text " + TextColumn + ", is_admin TINYINT NULL, is_domain_admin TINYINT NULL, is_enterprise_admin TINYINT NULL",
        };

        internal static readonly Part Hours = new Part
        {
            Table = "aa_tmp_proc_hours", Label = "hours", Number = 4, Base = 400000,
            Members = new[]
            {
                new Member("UserName", T.Text, 1), new Member("Domain", T.Text, 2), new Member("SessionId", T.Text, 3), new Member("HourUtc", T.Date, 4, true),
                new Member("ActiveMinutes", T.Int, 5, true), new Member("IdleMinutes", T.Int, 6, true), new Member("UnknownMinutes", T.Int, 7, true),
            },
            Finals = "user_name " + TextColumn + ", domain " + TextColumn + ", session_id " + TextColumn + ", hour_utc DATETIME(6) NULL, hour7 TINYINT NULL",
        };

        private static string J(Member m) => "j_" + m.Name;
        private static string V(Member m) => "v_" + m.Name;
        private static string D6(string name) => "d6_" + name;
        private static string D7(string name) => "d7_" + name;

        /// <summary>Non-empty text or NULL (SessionValidator.Text takes "" as absent).</summary>
        internal static string NonEmpty(string x) => "IF(CHAR_LENGTH(" + x + ") > 0, " + x + ", NULL)";

        private static string Typed(Member m)
        {
            string j = J(m);
            switch (m.Type)
            {
                case T.Int: return Int32Of(j);
                case T.Bool: return BoolOf(j);
                case T.Ident: return "IF(" + IsString(j) + ", JSON_UNQUOTE(" + j + "), " + Int64TextOf(j, allowSign: false) + ")";
                case T.Enum: return EnumOf(j, m.Names);
                case T.Duration: return TicksOf(j);
                default: return StringOf(j);
            }
        }

        private static string What(Member m)
        {
            switch (m.Type)
            {
                case T.Int: return "is not a whole number";
                case T.Bool: return "is not true or false";
                case T.Ident: return "is neither text nor a whole number";
                case T.Date: return "is not a date with a time zone (ISO 8601, e.g. 2026-11-25T13:00:00Z)";
                case T.Enum: return "is not one of " + string.Join(", ", m.Names);
                case T.Duration: return "is not a duration ([d.]hh:mm:ss[.fffffff])";
                default: return "is not a string";
            }
        }

        public static string Problem(string pos, string message, string from, string where) =>
            "  INSERT INTO " + ProblemsTable + " (pos, msg) SELECT " + pos + ", " + message + " FROM " + from + " WHERE " + where + ";\n";

        /// <summary>The array read into its table, every member typed (dates through aa_inbox_dates), and the refusals of SessionJson/IdleJson's reads.</summary>
        internal static string Read(Part p)
        {
            var sql = new StringBuilder();
            var columns = new List<string> { "ord INT NOT NULL PRIMARY KEY" };
            foreach (Member m in p.Members)
            {
                columns.Add(J(m) + " " + TextColumn);
                columns.Add(V(m) + " " + (m.Type == T.Int || m.Type == T.Duration ? "BIGINT NULL" : m.Type == T.Bool ? "TINYINT NULL" : TextColumn));
                if (m.Type == T.Date) { columns.Add(D6(m.Name) + " DATETIME(6) NULL"); columns.Add(D7(m.Name) + " TINYINT NULL"); }
            }
            sql.Append("  " + CreateTemp(p.Table, string.Join(", ", columns) + ", " + p.Finals) + ";\n");
            sql.Append("  DELETE FROM " + p.Table + ";\n");
            sql.Append("  INSERT INTO " + p.Table + " (ord, " + string.Join(", ", p.Members.Select(J)) + ") SELECT jt.ord - 1, " + string.Join(", ", p.Members.Select(m => "jt." + J(m))) +
                " FROM JSON_TABLE(p_json, '$." + p.Label + "[*]' COLUMNS (ord FOR ORDINALITY, " + string.Join(", ", p.Members.Select(m => J(m) + " JSON PATH '$." + m.Name + "'")) + ")) jt;\n");
            sql.Append("  UPDATE " + p.Table + " SET " + string.Join(", ", p.Members.Select(m => V(m) + " = " + Typed(m))) + ";\n");
            var dates = p.Members.Where(m => m.Type == T.Date).ToList();
            if (dates.Count > 0)
            {
                // One statement per member: MySQL cannot open a temporary table twice in one statement (no UNION ALL of it).
                foreach (Member m in dates)
                    sql.Append("  INSERT INTO " + DatesTable + " (tbl, ord, member, s) SELECT " + p.Number + ", ord, '" + m.Name + "', " + V(m) + " FROM " + p.Table + " WHERE " + V(m) + " IS NOT NULL;\n");
                sql.Append("  CALL `" + DatesName + "`();\n");
                foreach (Member m in dates)
                    sql.Append("  UPDATE " + p.Table + " t JOIN " + DatesTable + " d ON d.tbl = " + p.Number + " AND d.member = '" + m.Name + "' AND d.ord = t.ord " +
                        "SET t." + D6(m.Name) + " = d.d6, t." + D7(m.Name) + " = d.d7 WHERE d.ok = 1;\n");
            }
            foreach (Member m in p.Members)
            {
                string bad = Present(J(m)) + " AND " + (m.Type == T.Date ? D6(m.Name) : V(m)) + " IS NULL";
                string message = "CONCAT(" + p.Where + ", ': ''" + m.Name + "'' ', " + (m.Required ? "IF(" + Absent(J(m)) + ", 'is missing', '" + What(m) + "')" : "'" + What(m) + "'") + ", '.')";
                sql.Append(Problem(p.Pos(m.Step), message, p.Table, m.Required ? "(" + bad + ") OR " + Absent(J(m)) : bad));
            }
            return sql.ToString();
        }

        /// <summary>CheckDate of a date member (when it was given).</summary>
        internal static string DateRange(Part p, string name, int step) =>
            Problem(p.Pos(step), OutOfRangeMessage(p.Where, name, D6(name)), p.Table, D6(name) + " IS NOT NULL AND " + OutOfRange(D6(name), D7(name), "p_now"));

        internal static string Agent(Part p, int step) =>
            Problem(p.Pos(step), AgentMessage(p.Where, "v_AgentId", "p_computer"), p.Table, "v_AgentId IS NOT NULL AND v_AgentId <> p_computer");

        /// <summary>SessionValidator.Text / Address of members, through aa_inbox_texts: (member, step of the length check, rule, limit).</summary>
        internal static string Texts(Part p, params (string Name, int Step, string Rule, string Limit)[] texts) =>
            string.Concat(texts.Select(t => "  INSERT INTO " + TextsTable + " (pos, wh, field, v, rule, maxlen) SELECT " + p.Pos(t.Step) + ", " + p.Where + ", '" + t.Name +
                "', v_" + t.Name + ", '" + t.Rule + "', " + t.Limit + " FROM " + p.Table + ";\n")) +
            "  CALL `" + TextsName + "`();\n";

        /// <summary>The first row repeating the key of an earlier one (compared as .NET compares: ordinal, no collation).</summary>
        internal static string Repeats(Part p, string pos, string key, string message) =>
            "  INSERT INTO " + ProblemsTable + " (pos, msg) SELECT " + pos + ", " + message + " FROM (SELECT t.*, ROW_NUMBER() OVER (PARTITION BY " + key + " ORDER BY ord) AS seen FROM " +
            p.Table + " t) r WHERE seen > 1;\n";

    }
}
