using System;
using System.Collections.Generic;
using System.Linq;
using static AutomateAudit.Storage.ConnectionAuditTables;

namespace AutomateAudit.Storage
{
    /// <summary>A state change as stored: from EffectiveUtc on, State (1 online, 0 offline, null after a removal).</summary>
    internal struct StoredChange
    {
        public long Id { get; set; }
        public int ComputerId { get; set; }
        public DateTime EffectiveUtc { get; set; }
        public long? State { get; set; }
    }

    /// <summary>A change found by the recorder's pass over computers.</summary>
    internal sealed class DetectedChange
    {
        public int ComputerId { get; set; }
        public int State { get; set; }
        public DateTime? LastContact { get; set; }
        public DateTime EffectiveUtc { get; set; }
        public int Removed { get; set; }
        public int FirstSeen { get; set; }
    }

    /// <summary>
    /// The raw connection history (pvl_automate_connection_audit) and each computer's last recorded state
    /// (aa_connection_state). Automate's computers table is only read, at READ COMMITTED.
    /// </summary>
    internal sealed class ConnectionHistoryStore
    {
        private readonly AuditDatabase _db;

        public ConnectionHistoryStore(AuditDatabase db) { _db = db; }

        /// <summary>
        /// Every computer whose state differs from the last one recorded (or that is new, or back after a
        /// removal). One pass over computers, joined on the state table's primary key: the cost does not depend
        /// on how much history exists. Online means a LastContact within OfflineAfter of now, compared in UTC.
        /// The change takes effect at the LastContact, never earlier than the previous change (rule 6) nor later
        /// than now. An offline computer whose LastContact is unchanged keeps the UTC reading made when it went
        /// silent (in the repeated hour of a DST fall-back the same local time comes round again).
        /// </summary>
        internal static readonly string DetectStateChanges =
            "SELECT x.ComputerId, x.State, x.LastContact, " +
            "LEAST(@nowUtc, GREATEST(COALESCE(x.PreviousUtc, '1000-01-01'), COALESCE(x.LastContactUtc, @nowUtc))) AS EffectiveUtc, " +
            "0 AS Removed, x.FirstSeen, x.LastContactUtc FROM (" +
            " SELECT y.ComputerId, y.LastContact, y.PreviousUtc, y.PreviousState, y.FirstSeen, y.LastContactUtc, " + SieveColumns("y") + ", " +
            " IF(y.LastContactUtc > " + Cutoff + ", 1, 0) AS State FROM (" +
            "  SELECT z.ComputerId, z.LastContact, z.PreviousUtc, z.PreviousState, z.FirstSeen, " + SieveColumns("z") + ", " +
            "  IF(z.LastContact IS NULL, NULL, IF(z.PreviousState = 0 AND z.PreviousRemoved = 0 AND z.PreviousLastContactUtc IS NOT NULL AND z.LastContact = z.PreviousLastContact, " +
            "   z.PreviousLastContactUtc, " + SqlTime.LastContactUtc("z.LastContact", "z.Converted") + ")) AS LastContactUtc FROM (" +
            "   SELECT c.ComputerID AS ComputerId, " + SqlTime.NonZero("c.LastContact") + " AS LastContact, " +
            "   CONVERT_TZ(" + SqlTime.NonZero("c.LastContact") + ", @@session.time_zone, '+00:00') AS Converted, " +
            "   s.effective_utc AS PreviousUtc, s.state AS PreviousState, s.removed AS PreviousRemoved, " +
            "   s.lastcontact AS PreviousLastContact, s.lastcontact_utc AS PreviousLastContactUtc, " +
            "   IF(s.computerid IS NULL OR s.removed = 1, 1, 0) AS FirstSeen, " +
            "   c.LastContact AS RawLastContact, s.computerid AS StateId, s.removed AS StateRemoved, s.state AS StateState, " +
            "   s.lastcontact AS StateLastContact, s.lastcontact_utc AS StateLastContactUtc " +
            "   FROM computers c LEFT JOIN `" + StateTable + "` s ON s.computerid = c.ComputerID) z) y) x " +
            // The sieve comes first: the server tests the conditions in this order.
            "WHERE (" + MayHaveChanged + ") AND (x.FirstSeen = 1 OR x.PreviousState <> x.State)";

        private static string SieveColumns(string alias) =>
            string.Join(", ", new[] { "RawLastContact", "StateId", "StateRemoved", "StateState", "StateLastContact", "StateLastContactUtc" }.Select(c => alias + "." + c));

        private const string Cutoff = "(@nowUtc - INTERVAL @offlineSeconds SECOND)";

        /// <summary>
        /// A cheap first sieve, so that the exact test above (whose DST-aware reading converts each LastContact
        /// several times) runs only on computers that may have changed. It decides the state from one plain
        /// CONVERT_TZ reading where the exact reading (at most an hour later, or earlier when in the future)
        /// cannot fall on the other side of the cut-off, without any conversion for an offline computer whose
        /// LastContact is unchanged or more than 27 hours old (no two UTC offsets are further apart than 26 hours);
        /// it passes on whatever it cannot decide (-1).
        /// </summary>
        internal const string MayHaveChanged =
            "x.StateId IS NULL OR x.StateRemoved = 1 OR x.StateState <> CASE " +
            "WHEN x.RawLastContact IS NULL OR x.RawLastContact < '1000-01-01' THEN -1 " +
            "WHEN x.StateState = 0 AND x.StateLastContactUtc IS NOT NULL AND x.RawLastContact = x.StateLastContact THEN IF(x.StateLastContactUtc > " + Cutoff + ", 1, 0) " +
            "WHEN x.RawLastContact <= @nowLocal - INTERVAL @offlineSeconds SECOND - INTERVAL 27 HOUR THEN 0 " +
            "WHEN CONVERT_TZ(x.RawLastContact, @@session.time_zone, '+00:00') > " + Cutoff + " " +
            "AND CONVERT_TZ(x.RawLastContact, @@session.time_zone, '+00:00') <= @nowUtc THEN 1 " +
            "WHEN CONVERT_TZ(x.RawLastContact, @@session.time_zone, '+00:00') + INTERVAL 1 HOUR <= " + Cutoff + " THEN 0 " +
            "ELSE -1 END";

        /// <summary>
        /// Tracked computers gone from Automate. NOT IN (ComputerID is the primary key, never NULL) lets the server build
        /// the set of ids once from a small index instead of looking every tracked computer up in the wide computers table.
        /// </summary>
        internal static readonly string DetectRemovals =
            "SELECT s.computerid, 0, s.lastcontact, GREATEST(s.effective_utc, @nowUtc), 1, 0, s.lastcontact_utc " +
            "FROM `" + StateTable + "` s WHERE s.removed = 0 AND s.computerid NOT IN (SELECT ComputerID FROM computers)";

        /// <summary>Both kinds of change in one statement (one consistent read): -WhatIf and the hosted procedure.</summary>
        internal static readonly string DetectChanges = DetectStateChanges + " UNION ALL " + DetectRemovals;

        private const string ChangeColumns = "ComputerId, State, LastContact, EffectiveUtc, Removed, FirstSeen";

        /// <summary>What a recording run would write now, without writing anything (-WhatIf).</summary>
        public List<DetectedChange> Detect(DateTime nowLocal, DateTime nowUtc, int offlineSeconds) =>
            _db.Read(HashJoined("SELECT " + ChangeColumns + " FROM (" + DetectChanges + ") d ORDER BY ComputerId", _db.IsMariaDb),
                new { nowLocal, nowUtc, offlineSeconds }, ReadDetected);

        /// <summary>
        /// On MariaDB, the pass over computers joins the state table through a hash of it (BNLH, for this statement only)
        /// instead of one primary-key lookup per computer: 75 against 125 ms of server time at 100,000 computers. The
        /// 16 MB join buffer holds about 400,000 computers' keys; a larger fleet scans the state table once per buffer.
        /// MySQL 8 has no such setting and keeps the lookups.
        /// </summary>
        internal static string HashJoined(string statement, bool mariaDb) =>
            WithMariaDbSettings("join_cache_level = 4, join_buffer_size = 16777216, join_buffer_space_limit = 16777216", statement, mariaDb);

        /// <summary>A statement run with MariaDB optimizer settings of its own (SET STATEMENT, MariaDB only: the session keeps its own).</summary>
        private static string WithMariaDbSettings(string settings, string statement, bool mariaDb) =>
            mariaDb ? "SET STATEMENT " + settings + " FOR " + statement : statement;

        /// <summary>
        /// Detects and writes this run's changes (history rows and current state) inside the caller's
        /// transaction. Returns how many changes there were and the earliest instant any of them takes effect.
        /// </summary>
        public (int Count, DateTime? EarliestUtc) Record(DateTime nowLocal, DateTime nowUtc, int offlineSeconds, long runId)
        {
            var args = new { nowLocal, nowUtc, offlineSeconds, runId };
            _db.Execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS aa_tmp_changes (" +
                "ComputerId INT NOT NULL PRIMARY KEY, State TINYINT NOT NULL, LastContact DATETIME NULL, " +
                "EffectiveUtc DATETIME NOT NULL, Removed TINYINT NOT NULL, FirstSeen TINYINT NOT NULL, LastContactUtc DATETIME NULL) ENGINE=InnoDB; " +
                "DELETE FROM aa_tmp_changes");
            _db.Execute(HashJoined("INSERT INTO aa_tmp_changes " + DetectStateChanges, _db.IsMariaDb), args);
            if (RemovalsPossible())
            {
                // A computer deleted since the statement above may already have a row there: that row stays, and
                // the removal is recorded by the next run.
                _db.Execute("INSERT INTO aa_tmp_changes " + DetectRemovals + " ON DUPLICATE KEY UPDATE ComputerId = aa_tmp_changes.ComputerId", args);
            }
            var (count, earliest) = _db.Read("SELECT COUNT(*), MIN(EffectiveUtc) FROM aa_tmp_changes", null, r => (r.Int64(0), r.NullableDateTime(1)))[0];
            if (count == 0) return (0, null);
            _db.Execute(
                "INSERT INTO `" + AuditTable + "` (computerid, state, lastcontact, datacollectiontime, effective_utc, collected_utc, removed, run_id) " +
                "SELECT ComputerId, State, LastContact, @nowLocal, EffectiveUtc, @nowUtc, Removed, @runId FROM aa_tmp_changes ORDER BY ComputerId", args);
            _db.Execute(
                "INSERT INTO `" + StateTable + "` (computerid, state, lastcontact, lastcontact_utc, effective_utc, removed, updated_utc, first_seen_utc) " +
                "SELECT * FROM (SELECT ComputerId AS computerid, State AS state, LastContact AS lastcontact, LastContactUtc AS lastcontact_utc, " +
                "EffectiveUtc AS effective_utc, Removed AS removed, @nowUtc AS updated_utc, EffectiveUtc AS first_seen_utc FROM aa_tmp_changes) AS dt " +
                "ON DUPLICATE KEY UPDATE state = dt.state, lastcontact = dt.lastcontact, lastcontact_utc = dt.lastcontact_utc, " +
                "effective_utc = dt.effective_utc, removed = dt.removed, updated_utc = dt.updated_utc", args);
            return ((int)count, earliest);
        }

        /// <summary>
        /// Whether any tracked computer can be missing from computers: the live states outnumber the computers
        /// that matched one in the pass just made (all computers less those it found first seen). Two table
        /// counts are much cheaper than the search for missing ids, which finds nothing on almost every run.
        /// A computer added since that pass can hide a removal for one run; the next run records it.
        /// </summary>
        private bool RemovalsPossible() =>
            _db.QuerySingle<long>(
                "SELECT (SELECT COUNT(*) FROM `" + StateTable + "` WHERE removed = 0) - (SELECT COUNT(*) FROM computers) " +
                "+ (SELECT COUNT(*) FROM aa_tmp_changes WHERE FirstSeen = 1)") > 0;

        /// <summary>The changes the last <see cref="Record"/> call wrote, in ComputerID order.</summary>
        public List<DetectedChange> RecordedChanges() =>
            _db.Read("SELECT " + ChangeColumns + " FROM aa_tmp_changes ORDER BY ComputerId", null, ReadDetected);

        private static DetectedChange ReadDetected(System.Data.IDataRecord r) => new DetectedChange
        {
            ComputerId = r.GetInt32(0), State = r.GetInt32(1), LastContact = r.NullableDateTime(2), EffectiveUtc = r.GetDateTime(3),
            Removed = r.GetInt32(4), FirstSeen = r.GetInt32(5),
        };

        /// <summary>
        /// The last change before @at of each listed computer (several rows when changes share an instant:
        /// the highest id wins, rows come in id order). A group-wise MAX over (computerid, effective_utc) is
        /// answered from the index alone (loose index scan): one index dive per computer however long the history.
        /// A dense chunk of ids is one index range; a sparse one is a list.
        /// </summary>
        public List<(int ComputerId, long? State)> StatesAt(IReadOnlyCollection<int> ids, DateTime at)
        {
            bool dense = IdRange.IsDense(ids, out int lo, out int hi);
            string where = dense ? "computerid BETWEEN @lo AND @hi" : "computerid IN @ids";
            var rows = _db.Read(
                "SELECT a.computerid AS ComputerId, IF(a.removed = 1, NULL, a.state) AS State FROM `" + AuditTable + "` a JOIN (" +
                "SELECT computerid, MAX(effective_utc) AS at FROM `" + AuditTable + "` WHERE " + where + " AND effective_utc < @at GROUP BY computerid) m " +
                "ON a.computerid = m.computerid AND a.effective_utc = m.at ORDER BY a.computerid, a.id", new { ids, lo, hi, at }, r => (ComputerId: r.GetInt32(0), State: r.NullableInt64(1)));
            if (!dense) return rows.ToList();
            var wanted = new HashSet<int>(ids);
            return rows.Where(r => wanted.Contains(r.ComputerId)).ToList();
        }

        /// <summary>
        /// Every change of the listed computers in [from, to): each computer's in time order, the rows of one computer and
        /// instant together (<see cref="Engine.ConnectionAccounting.Group"/> puts those in recording order). The order is the
        /// index's own, so the server sorts nothing; ordering by id as well made it sort every row read.
        /// </summary>
        /// <remarks>
        /// MariaDB turns an IN list of 1,000 values or more into a temporary table that it joins and then sorts; for this
        /// statement it is told not to, so each ComputerID stays one index range: 100-145 against 180-250 ms of server time for
        /// 30 days of 5,000 computers, 27-40 against 41-63 ms for one day.
        /// </remarks>
        public void ChangesBetween(IReadOnlyCollection<int> ids, DateTime from, DateTime to, Action<StoredChange> onChange) =>
            _db.ReadEach(WithMariaDbSettings("in_predicate_conversion_threshold = 0",
                SelectStoredChanges + "WHERE computerid IN @ids AND effective_utc >= @from AND effective_utc < @to ORDER BY computerid, effective_utc", _db.IsMariaDb),
                new { ids, from, to }, r => onChange(ReadChange(r)));

        /// <summary>Every change of every computer in [from, to) (a report's "today so far", a day's rollup): one range scan, in time order.</summary>
        public void AllChangesBetween(DateTime from, DateTime to, Action<StoredChange> onChange) =>
            _db.ReadEach(SelectStoredChanges + "WHERE effective_utc >= @from AND effective_utc < @to ORDER BY effective_utc, computerid",
                new { from, to }, r => onChange(ReadChange(r)));

        private static StoredChange ReadChange(System.Data.IDataRecord r) =>
            new StoredChange { Id = r.GetInt64(0), ComputerId = r.GetInt32(1), EffectiveUtc = r.GetDateTime(2), State = r.NullableInt32(3) };

        private static readonly string SelectStoredChanges =
            "SELECT id AS Id, computerid AS ComputerId, effective_utc AS EffectiveUtc, IF(removed = 1, NULL, state) AS State FROM `" + AuditTable + "` ";

        /// <summary>The next chunk of computers the module has ever tracked, in ComputerID order.</summary>
        public List<int> TrackedComputers(int after, int limit) =>
            _db.Query<int>("SELECT computerid FROM `" + StateTable + "` WHERE computerid > @after ORDER BY computerid LIMIT @limit",
                new { after, limit }).ToList();

        /// <summary>The first change adopted from a ProVal table (rows no run of the module wrote), or null.</summary>
        /// <remarks>
        /// Adopted rows come before the module's own, so the effective-time index finds the first one at its start. Right
        /// after adoption every row is adopted, and a MIN over the run index read all of them (1.3 s at 4.35 million).
        /// Without adopted rows that walk would read the whole index instead, so their existence is asked first.
        /// </remarks>
        public DateTime? AdoptedFrom() =>
            _db.QuerySingle<long>("SELECT COUNT(*) FROM (SELECT 1 FROM `" + AuditTable + "` WHERE run_id IS NULL LIMIT 1) x") == 0 ? null
            : _db.QuerySingle<DateTime?>("SELECT effective_utc FROM `" + AuditTable + "` FORCE INDEX (ix_aa_audit_effective_changes) " +
                "WHERE run_id IS NULL AND effective_utc IS NOT NULL ORDER BY effective_utc LIMIT 1");

        /// <summary>
        /// Deletes raw rows older than the cut-off in batches, except each computer's last one before it
        /// (which still gives the state at the cut-off). Returns the number of rows deleted.
        /// </summary>
        public long DeleteSuperseded(DateTime beforeUtc, int batch)
        {
            long deleted = 0;
            while (true)
            {
                var ids = SupersededIds(beforeUtc, batch);
                if (ids.Count == 0) return deleted;
                deleted += _db.Execute("DELETE FROM `" + AuditTable + "` WHERE id IN @ids", new { ids });
            }
        }

        /// <summary>How many raw rows <see cref="DeleteSuperseded"/> would delete (-WhatIf).</summary>
        public long CountSuperseded(DateTime beforeUtc) =>
            _db.QuerySingle<long>("SELECT COUNT(*) FROM (" + SupersededSql + ") s", new { before = beforeUtc });

        private const string SupersededSql =
            "SELECT a.id FROM `" + AuditTable + "` a WHERE a.effective_utc < @before AND EXISTS (" +
            "SELECT 1 FROM `" + AuditTable + "` b WHERE b.computerid = a.computerid AND b.effective_utc < @before " +
            "AND (b.effective_utc > a.effective_utc OR (b.effective_utc = a.effective_utc AND b.id > a.id)))";

        private List<long> SupersededIds(DateTime beforeUtc, int batch) =>
            _db.Query<long>(SupersededSql + " LIMIT " + batch, new { before = beforeUtc }).ToList();
    }
}
