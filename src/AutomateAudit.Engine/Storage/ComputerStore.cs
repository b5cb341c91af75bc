using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using static AutomateAudit.Storage.ConnectionAuditTables;

namespace AutomateAudit.Storage
{
    /// <summary>Which computers a report covers: ids, and names as LIKE patterns (already translated from wildcards).</summary>
    internal sealed class ComputerQuery
    {
        public IReadOnlyCollection<int> ComputerIds { get; set; }
        public IReadOnlyList<string> ClientLike { get; set; }
        public IReadOnlyList<string> LocationLike { get; set; }
        public IReadOnlyList<string> ComputerLike { get; set; }
    }

    /// <summary>A computer as Automate's tables describe it, with what the module knows of it.</summary>
    internal sealed class ComputerRecord
    {
        public int ComputerId { get; set; }
        public int ClientId { get; set; }
        public int LocationId { get; set; }
        public string Client { get; set; }
        public string Location { get; set; }
        public string Computer { get; set; }
        public string OperatingSystem { get; set; }
        public string OsVersion { get; set; }
        public DateTime? LastContact { get; set; }
        public DateTime? LastContactUtc { get; set; }
        public string LastLoggedInUser { get; set; }
        public string BiosFlash { get; set; }
        public long Flags { get; set; }
        public DateTime? FirstSeenUtc { get; set; }
    }

    /// <summary>Automate's own tables (computers, clients, locations): read only, never locked.</summary>
    internal sealed class ComputerStore
    {
        private readonly AuditDatabase _db;

        public ComputerStore(AuditDatabase db) { _db = db; }

        /// <summary>The next chunk of matching computers after a ComputerID, in ComputerID order.</summary>
        public List<ComputerRecord> Chunk(ComputerQuery query, int after, int limit, DateTime nowLocal, DateTime nowUtc)
        {
            var where = new StringBuilder(" WHERE c.ComputerID > @after");
            var parameters = new SqlArgs();
            parameters.Add("after", after);
            parameters.Add("limit", limit);
            parameters.Add("nowLocal", nowLocal);
            parameters.Add("nowUtc", nowUtc);
            if (query?.ComputerIds != null && query.ComputerIds.Count > 0)
            {
                where.Append(" AND c.ComputerID IN @computerIds");
                parameters.Add("computerIds", query.ComputerIds);
            }
            AppendLike(where, parameters, "cl.Name", "client", query?.ClientLike);
            AppendLike(where, parameters, "l.Name", "location", query?.LocationLike);
            AppendLike(where, parameters, "c.Name", "computer", query?.ComputerLike);
            // LastContact in UTC as the recorder reads it, so Status is decided in UTC (rule 1): the
            // reading the module made when it first saw this LastContact, else the server's zone rules.
            // The expressions are written out in one SELECT: a derived table naming them would be materialized
            // with the LIMIT (20 against 15 ms of server time per 5,000 computers).
            string lastContact = SqlTime.NonZero("c.LastContact");
            string converted = "CONVERT_TZ(" + lastContact + ", @@session.time_zone, '+00:00')";
            string sql =
                "SELECT c.ComputerID AS ComputerId, c.ClientID AS ClientId, c.LocationID AS LocationId, " +
                "cl.Name AS Client, l.Name AS Location, c.Name AS Computer, c.OS AS OperatingSystem, c.Version AS OsVersion, " +
                lastContact + " AS LastContact, c.LastUsername AS LastLoggedInUser, c.BiosFlash AS BiosFlash, c.Flags AS Flags, " +
                "s.first_seen_utc AS FirstSeenUtc, IF(" + lastContact + " IS NULL, NULL, IF(s.lastcontact = " + lastContact +
                " AND s.lastcontact_utc IS NOT NULL, s.lastcontact_utc, " + SqlTime.LastContactUtc(lastContact, converted) + ")) AS LastContactUtc " +
                "FROM computers c LEFT JOIN clients cl ON cl.ClientID = c.ClientID LEFT JOIN locations l ON l.LocationID = c.LocationID " +
                "LEFT JOIN `" + StateTable + "` s ON s.computerid = c.ComputerID" + where + " ORDER BY c.ComputerID LIMIT @limit";
            return _db.Read(sql, parameters, ReadComputer);
        }

        private static ComputerRecord ReadComputer(System.Data.IDataRecord r) => new ComputerRecord
        {
            ComputerId = r.GetInt32(0), ClientId = r.GetInt32(1), LocationId = r.GetInt32(2),
            Client = r.NullableString(3), Location = r.NullableString(4), Computer = r.NullableString(5),
            OperatingSystem = r.NullableString(6), OsVersion = r.NullableString(7), LastContact = r.NullableDateTime(8),
            LastLoggedInUser = r.NullableString(9), BiosFlash = r.NullableString(10),
            // Read as whatever integer type the server has it as (Automate's is INT).
            Flags = r.IsDBNull(11) ? 0 : Convert.ToInt64(r.GetValue(11), System.Globalization.CultureInfo.InvariantCulture),
            FirstSeenUtc = r.NullableDateTime(12), LastContactUtc = r.NullableDateTime(13),
        };

        /// <summary>The ComputerIDs of the list that exist in Automate.</summary>
        public HashSet<int> ExistingComputerIds(IReadOnlyCollection<int> ids) =>
            new HashSet<int>(_db.Query<int>("SELECT ComputerID FROM computers WHERE ComputerID IN @ids", new { ids }));

        /// <summary>The names of the list that exist (compared as the server's collation compares them) in clients, locations or computers.</summary>
        public HashSet<string> ExistingNames(NameKind kind, IReadOnlyCollection<string> names)
        {
            string table = kind == NameKind.Client ? "clients" : kind == NameKind.Location ? "locations" : "computers";
            var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string name in names)
            {
                if (_db.QuerySingle<long>("SELECT COUNT(*) FROM (SELECT 1 FROM " + table + " WHERE Name = @name LIMIT 1) x", new { name }) > 0) found.Add(name);
            }
            return found;
        }

        /// <summary>
        /// Columns of computers (c), clients (cl), locations (l) and contacts (ct) for these computers, keyed by
        /// ComputerID: the named ones (NULL where this server lacks the column, since several are unconfirmed)
        /// and, with all = true, every column each table has, prefixed (Client_City, Location_Phone, ...).
        /// Column names come from the server's own schema, never from input.
        /// </summary>
        public Dictionary<int, IDictionary<string, object>> Details(IReadOnlyCollection<int> ids, IReadOnlyList<(string Alias, string Table, string Column, string As)> named, bool all)
        {
            var present = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
            List<string> ColumnsOf(string table) => present.TryGetValue(table, out var list) ? list : (present[table] = _db.Query<string>(
                "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @table ORDER BY ORDINAL_POSITION", new { table }).ToList());
            var select = new List<string> { "c.ComputerID AS `__id`" };
            foreach (var (alias, table, column, name) in named)
                select.Add((ColumnsOf(table).Contains(column, StringComparer.OrdinalIgnoreCase) ? alias + "." + Quote(column) : "NULL") + " AS " + Quote(name));
            if (all)
            {
                foreach (var (alias, table, prefix) in new[] { ("c", "computers", "Computer_"), ("cl", "clients", "Client_"), ("l", "locations", "Location_"), ("ct", "contacts", "Contact_") })
                    foreach (string column in ColumnsOf(table)) select.Add(alias + "." + Quote(column) + " AS " + Quote(prefix + column));
            }
            string sql = "SELECT " + string.Join(", ", select) + " FROM computers c LEFT JOIN clients cl ON cl.ClientID = c.ClientID " +
                "LEFT JOIN locations l ON l.LocationID = c.LocationID LEFT JOIN contacts ct ON ct.ContactID = c.ContactID WHERE c.ComputerID IN @ids";
            var result = new Dictionary<int, IDictionary<string, object>>();
            foreach (var row in _db.QueryRows(sql, new { ids }))
            {
                int id = Convert.ToInt32(row["__id"], System.Globalization.CultureInfo.InvariantCulture);
                row.Remove("__id");
                result[id] = row;
            }
            return result;
        }

        private static string Quote(string identifier) => "`" + identifier.Replace("`", "``") + "`";

        /// <summary>Names of clients, locations or computers that match a LIKE pattern, for tab completion.</summary>
        public List<string> NamesLike(NameKind kind, string like, int limit)
        {
            string table = kind == NameKind.Client ? "clients" : kind == NameKind.Location ? "locations" : "computers";
            return _db.Query<string>("SELECT DISTINCT Name FROM " + table + " WHERE Name LIKE @like ORDER BY Name LIMIT @limit", new { like, limit }).ToList();
        }

        private static void AppendLike(StringBuilder sql, SqlArgs parameters, string column, string name, IReadOnlyList<string> patterns)
        {
            if (patterns == null || patterns.Count == 0) return;
            var terms = new List<string>();
            for (int i = 0; i < patterns.Count; i++)
            {
                terms.Add(column + " LIKE @" + name + i);
                parameters.Add(name + i, patterns[i]);
            }
            sql.Append(" AND (").Append(string.Join(" OR ", terms)).Append(')');
        }
    }

    internal enum NameKind { Client, Location, Computer }
}
