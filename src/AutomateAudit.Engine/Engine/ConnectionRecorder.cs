using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    public enum ChangeKind { Changed, FirstSeen, Removed }

    /// <summary>One state change recorded (or, with -WhatIf, that would be recorded) by Update-ConnectionAudit.</summary>
    public sealed class ConnectionChange
    {
        public int ComputerId { get; set; }
        public string State { get; set; }
        public ChangeKind Kind { get; set; }
        public DateTime? LastContact { get; set; }
        public DateTime EffectiveUtc { get; set; }
        public DateTime DataCollectionTime { get; set; }
        public long? RunId { get; set; }
    }

    internal sealed class RecordResult
    {
        public long? RunId { get; set; }
        public DateTime NowLocal { get; set; }
        public DateTime NowUtc { get; set; }
        public IReadOnlyList<ConnectionChange> Changes { get; set; }
    }

    /// <summary>
    /// The 5-minute internal monitor, done right: one set-based pass over computers that writes a row per
    /// state change. Runs are serialised by a named server lock and each is a single transaction, so
    /// overlapping or interrupted runs never duplicate or lose a change. Automate's own tables are only
    /// read, at READ COMMITTED (a consistent read that takes no row locks on computers).
    /// </summary>
    internal sealed class ConnectionRecorder
    {
        /// <summary>Held by each recording run, and by the daily rollup while it rolls up one day.</summary>
        public const string LockName = "AutomateAudit.ConnectionAudit";
        public static readonly TimeSpan DefaultOfflineAfter = TimeSpan.FromMinutes(15);

        private readonly AuditSession _session;

        public ConnectionRecorder(AuditSession session) { _session = session; }

        public int LockTimeoutSeconds { get; set; } = 60;

        /// <summary>Records the changes since the last run, with "now" from a clock read just before (tests may pin it).</summary>
        public RecordResult Record(TimeSpan offlineAfter) => Record(ServerClock.Read(_session.Server), offlineAfter);

        public RecordResult Record(ServerClock clock, TimeSpan offlineAfter)
        {
            CheckOfflineAfter(offlineAfter);
            _session.Server.AssertRowBasedLogging();
            if (!_session.Server.TryGetLock(LockName, LockTimeoutSeconds))
                throw new AuditDatabaseException("Another run has held the lock '" + LockName + "' on " + _session.Settings.Describe() + " for over " + LockTimeoutSeconds + " seconds; this run recorded nothing.");
            try
            {
                long runId = _session.RunLog.Start(Coverage.Job, clock.NowUtc, clock.NowLocal, ModuleInfo.Host, ModuleInfo.Version);
                try
                {
                    return _session.InTransaction(() =>
                    {
                        var (count, earliest) = _session.History.Record(clock.NowLocal, clock.NowUtc, (int)offlineAfter.TotalSeconds, runId);
                        var changes = new List<ConnectionChange>();
                        if (count > 0)
                        {
                            _session.Rollup.ReopenFrom(earliest.Value);
                            changes = _session.History.RecordedChanges().Select(c => ToChange(c, clock, runId)).ToList();
                        }
                        _session.RunLog.Finish(runId, "ok", count, "offline after " + (int)offlineAfter.TotalMinutes + " min");
                        return new RecordResult { RunId = runId, NowLocal = clock.NowLocal, NowUtc = clock.NowUtc, Changes = changes };
                    });
                }
                catch (Exception ex)
                {
                    TryFailRun(runId, ex);
                    throw;
                }
            }
            finally
            {
                _session.Server.ReleaseLock(LockName);
            }
        }

        /// <summary>The changes a run would record now, writing nothing.</summary>
        public RecordResult Preview(ServerClock clock, TimeSpan offlineAfter)
        {
            CheckOfflineAfter(offlineAfter);
            var changes = _session.History.Detect(clock.NowLocal, clock.NowUtc, (int)offlineAfter.TotalSeconds)
                .Select(c => ToChange(c, clock, null)).ToList();
            return new RecordResult { NowLocal = clock.NowLocal, NowUtc = clock.NowUtc, Changes = changes };
        }

        private static void CheckOfflineAfter(TimeSpan offlineAfter)
        {
            if (offlineAfter < TimeSpan.FromMinutes(1) || offlineAfter > TimeSpan.FromDays(1))
                throw new ArgumentOutOfRangeException(nameof(offlineAfter), offlineAfter, "OfflineAfter must be between 1 minute and 1 day.");
        }

        private static ConnectionChange ToChange(DetectedChange r, ServerClock clock, long? runId) => new ConnectionChange
        {
            ComputerId = r.ComputerId,
            State = r.Removed == 1 ? "Removed" : r.State == 1 ? "Online" : "Offline",
            Kind = r.Removed == 1 ? ChangeKind.Removed : r.FirstSeen == 1 ? ChangeKind.FirstSeen : ChangeKind.Changed,
            LastContact = r.LastContact,
            EffectiveUtc = DateTime.SpecifyKind(r.EffectiveUtc, DateTimeKind.Utc),
            DataCollectionTime = clock.NowLocal,
            RunId = runId,
        };

        private void TryFailRun(long runId, Exception ex)
        {
            try
            {
                _session.RunLog.Finish(runId, "failed", 0, ex.Message);
            }
            catch (Exception) when (!(ex is OutOfMemoryException))
            {
                // The run stays 'running', which coverage ignores just the same.
            }
        }
    }
}
