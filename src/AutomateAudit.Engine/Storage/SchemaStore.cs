using System;
using System.Collections.Generic;
using System.Linq;

namespace AutomateAudit.Storage
{
    /// <summary>The DDL one table needs to reach the module's shape (nothing when it is there already).</summary>
    internal sealed class TablePlan
    {
        public TablePlan(TableSpec spec, bool exists, IReadOnlyList<string> statements, string summary, string indexStatement = null)
        {
            Spec = spec; Exists = exists; Summary = summary;
            IndexStatement = indexStatement;
            Statements = indexStatement == null ? statements : statements.Concat(new[] { indexStatement }).ToList();
        }

        public TableSpec Spec { get; }
        public bool Exists { get; }
        /// <summary>Every statement, in the order they run.</summary>
        public IReadOnlyList<string> Statements { get; }
        /// <summary>
        /// The secondary indexes an existing table gains, the last of <see cref="Statements"/>: run after the adoption
        /// of existing rows, so that filling their columns does not maintain those indexes row by row (and each is
        /// then built once, sorted).
        /// </summary>
        public string IndexStatement { get; }
        public string Summary { get; }
    }

    /// <summary>
    /// The module's tables as the server has them (information_schema), the DDL that creates or extends
    /// them (columns and indexes are only ever added, but for an index a later one supersedes), and the installed schema version.
    /// </summary>
    internal sealed class SchemaStore
    {
        private readonly AuditDatabase _db;

        public SchemaStore(AuditDatabase db) { _db = db; }

        /// <summary>The DDL each table needs, without running any of it.</summary>
        public List<TablePlan> Plan(IReadOnlyList<TableSpec> specs)
        {
            var names = specs.Select(t => t.Name).ToArray();
            var columns = _db.Query<(string Table, string Column, string Key)>(
                "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_KEY FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN @names",
                new { names }).ToList();
            var indexes = _db.Query<(string Table, string Index)>(
                "SELECT DISTINCT TABLE_NAME, INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN @names",
                new { names }).ToList();
            return specs.Select(spec => PlanTable(spec,
                columns.Where(c => c.Table.Equals(spec.Name, StringComparison.OrdinalIgnoreCase)).Select(c => c.Column).ToList(),
                indexes.Where(i => i.Table.Equals(spec.Name, StringComparison.OrdinalIgnoreCase)).Select(i => i.Index).ToList())).ToList();
        }

        internal static TablePlan PlanTable(TableSpec spec, IList<string> existingColumns, IList<string> existingIndexes)
        {
            if (existingColumns.Count == 0)
                return new TablePlan(spec, exists: false, new[] { spec.CreateSql() }, "created with " + spec.Columns.Count + " columns");

            if (!spec.ExtendExisting)
                return new TablePlan(spec, exists: true, new string[0], "kept as it is: another solution still writes to it");
            var have = new HashSet<string>(existingColumns, StringComparer.OrdinalIgnoreCase);
            var haveIndex = new HashSet<string>(existingIndexes, StringComparer.OrdinalIgnoreCase);
            bool hasPrimaryKey = haveIndex.Contains("PRIMARY");
            var clauses = new List<string>();
            var said = new List<string>();

            var missing = spec.Columns.Where(c => !have.Contains(c.Name)).ToList();
            foreach (ColumnSpec column in missing)
            {
                bool isKey = column.Name.Equals(spec.PrimaryKey, StringComparison.OrdinalIgnoreCase);
                clauses.Add("ADD COLUMN `" + column.Name + "` " + column.Definition + (isKey ? " FIRST" : string.Empty));
                if (isKey)
                {
                    // An auto-increment column must be a key; a table that already has another primary key
                    // keeps it and gets ours as a unique key.
                    clauses.Add(hasPrimaryKey ? "ADD UNIQUE KEY `ux_aa_" + column.Name + "` (`" + column.Name + "`)" : "ADD PRIMARY KEY (`" + column.Name + "`)");
                }
            }
            if (missing.Count > 0) said.Add("added column" + (missing.Count > 1 ? "s " : " ") + string.Join(", ", missing.Select(c => c.Name)));

            var missingIndexes = spec.Indexes.Where(i => !haveIndex.Contains(i.Name)).ToList();
            if (missingIndexes.Count > 0) said.Add("added index" + (missingIndexes.Count > 1 ? "es " : " ") + string.Join(", ", missingIndexes.Select(i => i.Name)));
            var superseded = spec.Indexes.Where(i => i.Replaces != null && haveIndex.Contains(i.Replaces)).Select(i => i.Replaces).ToList();
            if (superseded.Count > 0) said.Add("dropped superseded index" + (superseded.Count > 1 ? "es " : " ") + string.Join(", ", superseded));

            var statements = clauses.Count == 0 ? new string[0] : new[] { "ALTER TABLE `" + spec.Name + "`\n  " + string.Join(",\n  ", clauses) };
            var indexClauses = missingIndexes.Select(i => "ADD " + i.Clause()).Concat(superseded.Select(name => "DROP INDEX `" + name + "`")).ToList();
            string indexes = indexClauses.Count == 0 ? null : "ALTER TABLE `" + spec.Name + "`\n  " + string.Join(",\n  ", indexClauses);
            return new TablePlan(spec, exists: true, statements, string.Join("; ", said), indexes);
        }

        /// <summary>The maximum length in characters of each text column of a table, as the server has it (a ProVal table may differ from ours).</summary>
        public Dictionary<string, int> TextColumnLengths(string table) =>
            _db.Query<(string Column, long Length)>(
                "SELECT COLUMN_NAME, CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @table " +
                "AND CHARACTER_MAXIMUM_LENGTH IS NOT NULL", new { table })
                .ToDictionary(c => c.Column, c => (int)Math.Min(c.Length, int.MaxValue), StringComparer.OrdinalIgnoreCase);

        /// <summary>Every column of one of Automate's tables, in order: reports that show "all columns" discover them at run time.</summary>
        public List<string> Columns(string table) =>
            _db.Query<string>("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @table ORDER BY ORDINAL_POSITION",
                new { table }).ToList();

        /// <summary>Runs DDL or adoption statements that come from the module's own table definitions (never from input).</summary>
        public int Apply(string statement) => _db.Execute(statement);

        /// <summary>
        /// Lets this session's implicit temporary tables (window functions, GROUP BY) stay in memory up to 256 MB for the
        /// adoption's passes over millions of rows, never lowering a larger setting: the LAG pass over 4.35 million
        /// rows takes 4 s in memory, 21 s spilled to disk with the default 16 MB.
        /// </summary>
        public const string LargeTemporaryTablesSql =
            "SET SESSION tmp_table_size = GREATEST(@@session.tmp_table_size, 268435456), max_heap_table_size = GREATEST(@@session.max_heap_table_size, 268435456)";

        public void UseLargeTemporaryTables() => _db.Execute(LargeTemporaryTablesSql);

        public long CountRows(TableSpec table) => _db.QuerySingle<long>("SELECT COUNT(*) FROM `" + table.Name + "`");

        /// <summary>The installed schema version, or null when Install-AuditTable never ran here.</summary>
        public int? InstalledVersion()
        {
            // Read directly: every database cmdlet asks first, and an information_schema lookup before it cost a
            // fresh process about 25 ms. A missing table is the one error that means "not installed".
            try
            {
                return _db.QuerySingle<int?>("SELECT version FROM " + ModuleTables.SchemaVersionTable + " WHERE component = 'schema'");
            }
            catch (AuditDatabaseException ex) when (ex.InnerException is MySqlConnector.MySqlException sql && sql.ErrorCode == MySqlConnector.MySqlErrorCode.NoSuchTable)
            {
                return null;
            }
        }

        /// <summary>
        /// The module's objects in this database, for Uninstall-AuditTable: the named base tables that exist, and every
        /// view, procedure, function, event and trigger whose name starts with one of the prefixes (checked again by the
        /// caller). Names come from information_schema, never from input.
        /// </summary>
        public List<(string Name, string Type)> ModuleObjects(IReadOnlyList<string> tables, IReadOnlyList<string> prefixes)
        {
            // LIKE with an explicit escape character: the underscore of "aa_" must not match any character, whatever
            // the sql_mode says about backslashes.
            var patterns = prefixes.Select(p => p.Replace("!", "!!").Replace("_", "!_").Replace("%", "!%") + "%").ToArray();
            string Like(string column) => "(" + string.Join(" OR ", patterns.Select((_, i) => column + " LIKE @p" + i + " ESCAPE '!'")) + ")";
            var parameters = new SqlArgs();
            for (int i = 0; i < patterns.Length; i++) parameters.Add("p" + i, patterns[i]);
            parameters.Add("tables", tables.ToArray());

            var found = new List<(string Name, string Type)>();
            found.AddRange(_db.Query<(string, string)>(
                "SELECT TABLE_NAME, 'TABLE' FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME IN @tables ORDER BY TABLE_NAME",
                parameters));
            found.AddRange(_db.Query<(string, string)>(
                "SELECT TABLE_NAME, 'VIEW' FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() AND " + Like("TABLE_NAME") + " ORDER BY TABLE_NAME", parameters));
            found.AddRange(_db.Query<(string, string)>(
                "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION') AND "
                + Like("ROUTINE_NAME") + " ORDER BY ROUTINE_NAME", parameters));
            found.AddRange(_db.Query<(string, string)>(
                "SELECT EVENT_NAME, 'EVENT' FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE() AND " + Like("EVENT_NAME") + " ORDER BY EVENT_NAME", parameters));
            found.AddRange(_db.Query<(string, string)>(
                "SELECT TRIGGER_NAME, 'TRIGGER' FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND " + Like("TRIGGER_NAME") + " ORDER BY TRIGGER_NAME", parameters));
            return found;
        }

        /// <summary>Rows in a table found by <see cref="ModuleObjects"/> (a name from information_schema).</summary>
        public long CountRows(string table) => _db.QuerySingle<long>("SELECT COUNT(*) FROM " + QuoteName(table));

        /// <summary>Drops one object found by <see cref="ModuleObjects"/>: TABLE, VIEW, PROCEDURE, FUNCTION, EVENT or TRIGGER.</summary>
        public void Drop(string type, string name)
        {
            switch (type)
            {
                case "TABLE": case "VIEW": case "PROCEDURE": case "FUNCTION": case "EVENT": case "TRIGGER": break;
                default: throw new ArgumentException("Not a droppable object type: " + type, nameof(type));
            }
            _db.Execute("DROP " + type + " IF EXISTS " + QuoteName(name));
        }

        private static string QuoteName(string name) => "`" + name.Replace("`", "``") + "`";

        /// <summary>Whether an earlier install stopped during its adoption (see <see cref="MarkAdoptionPending"/>).</summary>
        public bool AdoptionPending() =>
            _db.QuerySingle<long>("SELECT COUNT(*) FROM " + ModuleTables.SchemaVersionTable + " WHERE component = 'adoption'") > 0;

        /// <summary>Marks an adoption under way: an install that stops before its last adoption statement leaves the mark.</summary>
        public void MarkAdoptionPending(string moduleVersion) =>
            _db.Execute(
                "INSERT INTO " + ModuleTables.SchemaVersionTable + " (component, version, module_version, updated_utc) " +
                "SELECT * FROM (SELECT 'adoption' AS component, 0 AS version, @moduleVersion AS module_version, UTC_TIMESTAMP() AS updated_utc) AS dt " +
                "ON DUPLICATE KEY UPDATE updated_utc = dt.updated_utc", new { moduleVersion });

        public void ClearAdoptionPending() => _db.Execute("DELETE FROM " + ModuleTables.SchemaVersionTable + " WHERE component = 'adoption'");

        public void SetVersion(int version, string moduleVersion) =>
            _db.Execute(
                "INSERT INTO " + ModuleTables.SchemaVersionTable + " (component, version, module_version, updated_utc) " +
                "SELECT * FROM (SELECT 'schema' AS component, @version AS version, @moduleVersion AS module_version, UTC_TIMESTAMP() AS updated_utc) AS dt " +
                "ON DUPLICATE KEY UPDATE version = dt.version, module_version = dt.module_version, updated_utc = dt.updated_utc",
                new { version, moduleVersion });

        /// <summary>SetVersion as a literal statement for the SQL script: a rerun with the same versions leaves the row exactly as it is.</summary>
        public static string SetVersionSql(int version, string moduleVersion) =>
            "INSERT INTO " + ModuleTables.SchemaVersionTable + " (component, version, module_version, updated_utc) " +
            "SELECT * FROM (SELECT 'schema' AS component, " + version + " AS version, '" + moduleVersion.Replace("'", "''") + "' AS module_version, UTC_TIMESTAMP() AS updated_utc) AS dt " +
            "ON DUPLICATE KEY UPDATE updated_utc = IF(" + ModuleTables.SchemaVersionTable + ".version = dt.version AND " + ModuleTables.SchemaVersionTable + ".module_version = dt.module_version, " +
            ModuleTables.SchemaVersionTable + ".updated_utc, dt.updated_utc), version = dt.version, module_version = dt.module_version";

        /// <summary>The names of the views and procedures in this database (the module's objects among them).</summary>
        public HashSet<string> ExistingObjects() =>
            new HashSet<string>(_db.Query<string>(
                "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() " +
                "UNION ALL SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()"), StringComparer.OrdinalIgnoreCase);
    }
}
