using System;
using AutomateAudit.Endpoint.Payload;
using AutomateAudit.Engine.Idle;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine.Sessions
{
    /// <summary>A report from an endpoint that passed every check, ready to be written inside a transaction.</summary>
    internal sealed class CheckedReport
    {
        public int ComputerId { get; set; }
        /// <summary>What writing it would do, in words (for -WhatIf and -Confirm).</summary>
        public string Action { get; set; }
        public Func<SavedReport> Write { get; set; }
    }

    /// <summary>Checks any endpoint report (sessions or idle samples) with the saver of its kind.</summary>
    internal sealed class EndpointReports
    {
        private readonly ServerClock _clock;
        private readonly SessionSaver _sessions;
        private readonly IdleSaver _idle;

        public EndpointReports(AuditSession session, ServerClock clock)
        {
            _clock = clock;
            _sessions = new SessionSaver(session);
            _idle = new IdleSaver(session);
        }

        /// <summary>Throws PayloadException, naming what is wrong, when the report is refused.</summary>
        public CheckedReport Check(int computerId, PayloadEnvelope envelope)
        {
            if (envelope.Kind == PayloadCodec.SessionsKind)
            {
                SessionBatch batch = _sessions.Check(computerId, envelope, _clock);
                return new CheckedReport
                {
                    ComputerId = computerId, Action = "Save " + batch.Sessions.Count + " session(s) and " + batch.Events.Count + " event(s)",
                    Write = () => _sessions.Write(batch, _clock),
                };
            }
            if (envelope.Kind == PayloadCodec.IdleKind)
            {
                IdleBatch batch = _idle.Check(computerId, envelope, _clock);
                return new CheckedReport
                {
                    ComputerId = computerId, Action = "Save " + batch.Samples.Count + " idle sample(s) and " + batch.Hours.Count + " hour(s) of activity",
                    Write = () => _idle.Write(batch, _clock),
                };
            }
            throw new PayloadException("Reports of kind " + envelope.Kind + " are not read by this version of the module.");
        }
    }
}
