using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AutomateAudit.Endpoint;
using AutomateAudit.Endpoint.Payload;
using AutomateAudit.Engine.Sessions;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine.Idle
{
    internal sealed class IdleBatch
    {
        public int ComputerId { get; set; }
        public string ComputerName { get; set; }
        public DateTime GeneratedUtc { get; set; }
        public List<IdleRecord> Samples { get; set; }
        public List<IdleHourRecord> Hours { get; set; }
    }

    /// <summary>
    /// Checks and saves an endpoint's idle report, as SessionSaver does for sessions: everything checked before
    /// anything is written (sizes, lengths against ProVal's columns, durations that are neither negative nor
    /// absurd, dates, counts, the agent id), then in one transaction ProVal's rows (IdleTime as IdleMon writes it,
    /// 'True'/'False' flags, ScriptRunTime from the database clock) and the hourly minutes.
    /// </summary>
    internal sealed class IdleSaver
    {
        public const int MaxSamples = 2000;
        public const int MaxHours = 50000;
        private readonly AuditSession _session;
        private Dictionary<string, int> _provalColumns;

        public IdleSaver(AuditSession session) { _session = session; }

        public IdleBatch Check(int computerId, PayloadEnvelope envelope, ServerClock clock)
        {
            if (!_session.Computers.ExistingComputerIds(new[] { computerId }).Contains(computerId))
                throw new PayloadException("Automate has no computer with ComputerID " + computerId + ".");
            _provalColumns = _provalColumns ?? _session.Schema.TextColumnLengths("pvl_report_idlemon");
            int Length(string column, int fallback) => _provalColumns.TryGetValue(column, out int n) ? Math.Min(n, fallback) : fallback;
            DateTime now = clock.NowUtc;
            if (envelope.Items.Count > MaxSamples) throw new PayloadException("The report holds " + envelope.Items.Count + " samples; at most " + MaxSamples + " are accepted.");
            if (envelope.Hours.Count > MaxHours) throw new PayloadException("The report holds " + envelope.Hours.Count + " hours; at most " + MaxHours + " are accepted.");
            SessionValidator.CheckAgent(computerId, envelope.AgentId, "the envelope");
            DateTime generated = envelope.GeneratedUtc ?? now;
            SessionValidator.CheckDate(generated, now, "the envelope", "generatedUtc");
            if (generated > now) generated = now;

            var samples = new List<IdleRecord>();
            for (int i = 0; i < envelope.Items.Count; i++)
            {
                IdleSample s = IdleJson.Sample(envelope.Items[i], i);
                string where = "items[" + i + "]";
                SessionValidator.CheckAgent(computerId, s.AgentId, where);
                SessionValidator.CheckDate(s.Timestamp.ToUniversalTime(), now, where, "Timestamp");
                if (s.SamplerLastWrite.HasValue) SessionValidator.CheckDate(s.SamplerLastWrite.Value.ToUniversalTime(), now, where, "SamplerLastWrite");
                if (s.IdleTime.HasValue && (s.IdleTime.Value < TimeSpan.Zero || s.IdleTime.Value > SessionValidator.MaxDuration))
                    throw Field.Bad(where, "IdleTime", "is negative or longer than 10 years");
                string idle = s.IdleTime?.ToString("c", CultureInfo.InvariantCulture);
                if (idle != null && idle.Length > Length("IdleTime", 50)) throw Field.Bad(where, "IdleTime", "is longer than the column holds");
                SessionValidator.Text(s.SessionId, SessionValidator.Identifier, 32, where, "SessionId");
                samples.Add(new IdleRecord
                {
                    UserName = SessionValidator.Text(s.UserName, SessionValidator.UserName, Length("Username", 100), where, "UserName") ?? throw Field.Bad(where, "UserName", "is missing"),
                    Domain = SessionValidator.Text(s.Domain, SessionValidator.Name, Length("Domain", 100), where, "Domain"),
                    IdleTime = idle,
                    IsAdmin = s.IsAdmin, IsDomainAdmin = s.IsDomainAdmin, IsEnterpriseAdmin = s.IsEnterpriseAdmin,
                });
            }
            var hours = new List<IdleHourRecord>();
            var keys = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < envelope.Hours.Count; i++)
            {
                IdleHour h = IdleJson.Hour(envelope.Hours[i], i);
                string where = "hours[" + i + "]";
                DateTime hour = DateTime.SpecifyKind(h.HourUtc, DateTimeKind.Utc);
                SessionValidator.CheckDate(hour, now, where, "HourUtc");
                if (hour.Minute != 0 || hour.Second != 0 || hour.Millisecond != 0) throw Field.Bad(where, "HourUtc", "is not the start of an hour");
                if (h.ActiveMinutes < 0 || h.IdleMinutes < 0 || h.UnknownMinutes < 0 || (long)h.ActiveMinutes + h.IdleMinutes + h.UnknownMinutes > 60)
                    throw Field.Bad(where, "ActiveMinutes", "with IdleMinutes and UnknownMinutes is negative or more than an hour");
                var record = new IdleHourRecord
                {
                    UserName = SessionValidator.Text(h.UserName, SessionValidator.UserName, 100, where, "UserName") ?? throw Field.Bad(where, "UserName", "is missing"),
                    Domain = SessionValidator.Text(h.Domain, SessionValidator.Name, 100, where, "Domain"),
                    SessionId = SessionValidator.Text(h.SessionId, SessionValidator.Identifier, 32, where, "SessionId") ?? string.Empty,
                    HourUtc = hour, Active = h.ActiveMinutes, Idle = h.IdleMinutes, Unknown = h.UnknownMinutes,
                };
                if (!keys.Add(record.UserName + "\n" + record.SessionId + "\n" + hour.Ticks)) throw new PayloadException(where + " repeats an hour of the same user and session.");
                hours.Add(record);
            }
            string computerName = SessionValidator.Text(envelope.ComputerName, SessionValidator.Name, 255, "the envelope", "computerName");
            return new IdleBatch { ComputerId = computerId, ComputerName = computerName, GeneratedUtc = generated, Samples = samples, Hours = hours };
        }

        /// <summary>Writes a checked report inside the caller's transaction; an older report than the last one saved adds only its hours.</summary>
        public SavedReport Write(IdleBatch batch, ServerClock clock)
        {
            var report = new SavedReport
            {
                ComputerId = batch.ComputerId, ComputerName = batch.ComputerName, Kind = PayloadCodec.IdleKind,
                Generated = clock.ToLocal(batch.GeneratedUtc), Items = batch.Samples.Count, Events = batch.Hours.Count,
            };
            DateTime? last = _session.Sessions.LastGenerated(batch.ComputerId, PayloadCodec.IdleKind);
            bool stale = last.HasValue && last.Value > batch.GeneratedUtc;
            if (!stale)
            {
                _session.Idle.AddProValRows(batch.ComputerId, batch.Samples);
                _session.Sessions.MarkReported(batch.ComputerId, PayloadCodec.IdleKind, batch.GeneratedUtc, batch.Samples.Count, batch.ComputerName);
            }
            // An older report's completed hours are final (the same log made them), so they may still fill gaps; its unfinished hour is left alone.
            var hours = stale ? batch.Hours.Where(h => h.HourUtc.AddHours(1) <= batch.GeneratedUtc).ToList() : batch.Hours;
            _session.Idle.UpsertHours(batch.ComputerId, hours);
            report.Status = stale ? "Stale" : "Saved";
            if (stale) report.Reason = "made before the report already saved; only its completed hours were kept";
            return report;
        }

        /// <summary>ProVal's ThresholdDays for pvl_report_idlemon, and the same for the hourly minutes; small batches.</summary>
        public (long ProValRows, long Hours) ApplyRetention(ServerClock clock, int days) =>
            (_session.Idle.DeleteProValBefore(clock.NowLocal.AddDays(-days), 5000), _session.Idle.DeleteHoursBefore(clock.NowUtc.AddDays(-days), 5000));
    }
}
