using System;
using System.Threading;

namespace AutomateAudit.Storage
{
    /// <summary>
    /// One open connection to the Automate database, seen as its stores (one per table family). Engine
    /// classes work through the stores and never see the connection or any SQL.
    /// </summary>
    internal sealed class AuditSession : IDisposable
    {
        private readonly AuditDatabase _db;

        private AuditSession(AuditDatabase db)
        {
            _db = db;
            Server = new ServerStore(db);
            History = new ConnectionHistoryStore(db);
            Rollup = new RollupStore(db);
            Summary = new SummaryStore(db);
            RunLog = new RunLogStore(db);
            Schema = new SchemaStore(db);
            Computers = new ComputerStore(db);
            Sessions = new SessionStore(db);
            Inbox = new InboxStore(db);
            Idle = new IdleStore(db);
        }

        public static AuditSession Open(ConnectionSettings settings, Action<string> log = null, CancellationToken cancellation = default) =>
            new AuditSession(AuditDatabase.Open(settings, log, cancellation));

        public ConnectionSettings Settings => _db.Settings;
        public CancellationToken Cancellation => _db.Cancellation;
        public ServerStore Server { get; }
        public ConnectionHistoryStore History { get; }
        public RollupStore Rollup { get; }
        public SummaryStore Summary { get; }
        public RunLogStore RunLog { get; }
        public SchemaStore Schema { get; }
        public ComputerStore Computers { get; }
        public SessionStore Sessions { get; }
        public InboxStore Inbox { get; }
        public IdleStore Idle { get; }

        /// <summary>Runs the work in one READ COMMITTED transaction: committed when it returns, rolled back when it throws.</summary>
        public T InTransaction<T>(Func<T> work)
        {
            _db.BeginTransaction();
            try
            {
                T result = work();
                _db.Commit();
                return result;
            }
            catch
            {
                _db.Rollback();
                throw;
            }
        }

        public void Dispose() => _db.Dispose();
    }
}
