using System;
using System.Collections.Generic;
using System.Linq;

namespace AutomateAudit.Storage
{
    /// <summary>The shape a module table must have: columns in order, a primary key and secondary indexes.</summary>
    internal sealed class TableSpec
    {
        public TableSpec(string name, string family, IEnumerable<ColumnSpec> columns, string primaryKey, IEnumerable<IndexSpec> indexes = null, params string[] adoptSql)
        {
            Name = name;
            Family = family;
            Columns = columns.ToList();
            PrimaryKey = primaryKey;
            Indexes = (indexes ?? Enumerable.Empty<IndexSpec>()).ToList();
            AdoptSql = adoptSql ?? new string[0];
            foreach (string key in PrimaryKeyColumns)
            {
                if (Columns.All(c => !c.Name.Equals(key, StringComparison.OrdinalIgnoreCase)))
                    throw new ArgumentException("Primary key column " + key + " is not a column of " + name);
            }
        }

        public string Name { get; }
        public string Family { get; }

        /// <summary>
        /// False for tables another solution still writes to: created when missing, otherwise left exactly
        /// as they are (a new column would break an INSERT that lists no columns).
        /// </summary>
        public bool ExtendExisting { get; set; } = true;
        public IReadOnlyList<ColumnSpec> Columns { get; }
        /// <summary>The primary key: one column, or several separated by commas ("computerid, month").</summary>
        public string PrimaryKey { get; }

        public IReadOnlyList<string> PrimaryKeyColumns =>
            PrimaryKey == null ? new string[0] : PrimaryKey.Split(',').Select(c => c.Trim()).ToArray();
        public IReadOnlyList<IndexSpec> Indexes { get; }

        /// <summary>
        /// Run after install (each statement is idempotent): fills the module's columns on rows an earlier ProVal
        /// installation wrote, and derives the module's own state from them. The first statement claims the rows not
        /// adopted yet; the others act on what it claimed, so over a finished installation they run only when it claimed some.
        /// </summary>
        public IReadOnlyList<string> AdoptSql { get; }

        /// <summary>
        /// A one-off adoption (a migration between schema versions): runs when this install creates the table, or over a
        /// database installed below this version (an earlier install may have stopped after creating it).
        /// </summary>
        public int? AdoptBelowVersion { get; set; }

        /// <summary>Whether <see cref="AdoptSql"/> runs over a database at this installed schema version (null: never installed).</summary>
        public bool AdoptsOver(int? installed, bool created) => created || installed == null || AdoptBelowVersion == null || installed < AdoptBelowVersion;

        public string CreateSql()
        {
            var parts = Columns.Select(c => "  `" + c.Name + "` " + c.Definition).ToList();
            if (PrimaryKey != null) parts.Add("  PRIMARY KEY (" + string.Join(", ", PrimaryKeyColumns.Select(c => "`" + c + "`")) + ")");
            parts.AddRange(Indexes.Select(i => "  " + i.Clause()));
            return "CREATE TABLE IF NOT EXISTS `" + Name + "` (\n" + string.Join(",\n", parts) + "\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
        }
    }

    internal sealed class ColumnSpec
    {
        public ColumnSpec(string name, string definition) { Name = name; Definition = definition; }
        public string Name { get; }
        /// <summary>Type and options exactly as in CREATE TABLE, e.g. "INT NOT NULL".</summary>
        public string Definition { get; }
    }

    internal sealed class IndexSpec
    {
        public IndexSpec(string name, bool unique, params string[] columns) { Name = name; Unique = unique; Columns = columns; }
        public string Name { get; }
        public bool Unique { get; }
        public IReadOnlyList<string> Columns { get; }
        /// <summary>An index of an earlier schema this one supersedes: dropped where it exists, once this one is built.</summary>
        public string Replaces { get; set; }
        public string Clause() => (Unique ? "UNIQUE KEY `" : "KEY `") + Name + "` (" + string.Join(", ", Columns.Select(c => "`" + c + "`")) + ")";
    }
}
