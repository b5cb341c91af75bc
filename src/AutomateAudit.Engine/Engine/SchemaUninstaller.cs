using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    public enum AuditObjectAction { Removed, Skipped }

    /// <summary>What Uninstall-AuditTable did (or would do) to one of the module's database objects.</summary>
    public sealed class AuditObjectResult
    {
        public string Database { get; set; }
        public string Name { get; set; }
        /// <summary>Table, View, Procedure, Function, Event or Trigger.</summary>
        public string Type { get; set; }
        /// <summary>The table family (as Install-AuditTable reports it); empty for views, routines, events and triggers.</summary>
        public string Family { get; set; }
        public AuditObjectAction Action { get; set; }
        /// <summary>Rows the table held when it was dropped (or would be dropped); null for other objects.</summary>
        public long? Rows { get; set; }
    }

    /// <summary>One of the module's objects found in the database, in the order it is dropped.</summary>
    internal sealed class AuditObject
    {
        public AuditObject(string name, string type, string family, long? rows) { Name = name; Type = type; Family = family; Rows = rows; }
        public string Name { get; }
        /// <summary>TABLE, VIEW, PROCEDURE, FUNCTION, EVENT or TRIGGER (as information_schema names them).</summary>
        public string Type { get; }
        public string Family { get; }
        public long? Rows { get; }
        /// <summary>"table", "view", ...: for messages.</summary>
        public string Kind => Type.ToLowerInvariant();
    }

    /// <summary>
    /// Removes what Install-AuditTable (and the module's SQL kit) created and owns: the aa_* tables of
    /// <see cref="SchemaInstaller.Tables"/>, and every view, procedure, function, event and trigger named aa_* or
    /// automateaudit_*. ProVal's tables (pvl_*, plugin_proval_*) are never dropped, emptied or altered, not even the
    /// columns and indexes the module added to them: a ProVal script still running may INSERT into them.
    /// </summary>
    internal sealed class SchemaUninstaller
    {
        /// <summary>Name prefixes of the module's own objects (case-insensitive, as MySQL compares names).</summary>
        public static readonly IReadOnlyList<string> OwnedPrefixes = new[] { "aa_", "automateaudit_" };

        /// <summary>The tables the module owns: those of <see cref="SchemaInstaller.Tables"/> named aa_*.</summary>
        public static IReadOnlyList<TableSpec> OwnedTables =>
            SchemaInstaller.Tables.Where(t => IsOwnedName(t.Name)).ToList();

        /// <summary>Tables the module shares with ProVal's solutions: kept, with every row and column.</summary>
        public static IReadOnlyList<string> KeptTables =>
            SchemaInstaller.Tables.Where(t => !IsOwnedName(t.Name)).Select(t => t.Name).ToList();

        // Drop order: what calls or reads the others first (events call procedures; views read tables), and the
        // schema version last, so an interrupted uninstall still reads as installed and can be run again.
        private static readonly string[] TypeOrder = { "EVENT", "TRIGGER", "PROCEDURE", "FUNCTION", "VIEW", "TABLE" };

        private readonly AuditSession _session;

        public SchemaUninstaller(AuditSession session) { _session = session; }

        public static bool IsOwnedName(string name) =>
            name != null && OwnedPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

        /// <summary>The module's objects present in the database, in drop order; tables with their row counts.</summary>
        public IReadOnlyList<AuditObject> Plan()
        {
            var owned = OwnedTables;
            var found = _session.Schema.ModuleObjects(owned.Select(t => t.Name).ToList(), OwnedPrefixes)
                .Where(o => IsOwnedName(o.Name)) // the SQL filter, checked again: nothing else is ever dropped
                .GroupBy(o => o.Type + "\n" + o.Name.ToLowerInvariant()).Select(g => g.First())
                .ToList();
            return found
                .OrderBy(o => Array.IndexOf(TypeOrder, o.Type))
                .ThenBy(o => o.Name.Equals(ModuleTables.SchemaVersionTable, StringComparison.OrdinalIgnoreCase) ? 1 : 0)
                .ThenBy(o => o.Name, StringComparer.OrdinalIgnoreCase)
                .Select(o =>
                {
                    bool table = o.Type == "TABLE";
                    string family = table ? owned.First(t => t.Name.Equals(o.Name, StringComparison.OrdinalIgnoreCase)).Family : null;
                    return new AuditObject(o.Name, o.Type, family, table ? _session.Schema.CountRows(o.Name) : (long?)null);
                })
                .ToList();
        }

        /// <summary>Drops one planned object and says so.</summary>
        public AuditObjectResult Remove(AuditObject item)
        {
            if (!IsOwnedName(item.Name)) throw new InvalidOperationException("Refusing to drop " + item.Name + ": not an AutomateAudit object.");
            _session.Schema.Drop(item.Type, item.Name);
            return Result(item, AuditObjectAction.Removed);
        }

        /// <summary>The result for an object the user declined (-WhatIf, or No at the prompt).</summary>
        public AuditObjectResult Skip(AuditObject item) => Result(item, AuditObjectAction.Skipped);

        /// <summary>Drops everything, unprompted (tests, simulations).</summary>
        public IReadOnlyList<AuditObjectResult> RemoveAll() => Plan().Select(Remove).ToList();

        private AuditObjectResult Result(AuditObject item, AuditObjectAction action) => new AuditObjectResult
        {
            Database = _session.Settings.Database,
            Name = item.Name,
            Type = char.ToUpperInvariant(item.Kind[0]) + item.Kind.Substring(1),
            Family = item.Family,
            Action = action,
            Rows = item.Rows,
        };
    }
}
