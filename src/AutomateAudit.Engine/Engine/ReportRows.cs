using System;

namespace AutomateAudit.Engine
{
    /// <summary>Computer details every report row starts with (flat scalars: clean under Export-Csv and ConvertTo-Html).</summary>
    public abstract class ComputerRow
    {
        public int ClientId { get; set; }
        public int LocationId { get; set; }
        public int ComputerId { get; set; }
        public string Client { get; set; }
        public string Location { get; set; }
        public string Computer { get; set; }
        public string OperatingSystem { get; set; }
        public DateTime? LastContact { get; set; }
        public string LastLoggedInUser { get; set; }
        public int? MinutesSinceLastContact { get; set; }
        public string FormFactor { get; set; }
        public string Status { get; set; }
    }

    /// <summary>
    /// Get-ConnectionReport's default row: the ProVal dataview's columns for 24 hours, 7 days and 30 days ending now. The
    /// readable durations ("4day 10hr 38min") are made from the minutes when read, not kept: six strings per row are most
    /// of what a report of 100,000 computers would otherwise leave for the garbage collector to trace.
    /// </summary>
    public sealed class ConnectionReportRow : ComputerRow
    {
        public int Online24hMinutes { get; set; }
        public int Offline24hMinutes { get; set; }
        public int Unknown24hMinutes { get; set; }
        public int Observed24hMinutes { get; set; }
        public string Online24h => Minutes.Text(Online24hMinutes);
        public string Offline24h => Minutes.Text(Offline24hMinutes);
        public double? Online24hPercent { get; set; }
        public double? Offline24hPercent { get; set; }
        public int Online7dMinutes { get; set; }
        public int Offline7dMinutes { get; set; }
        public int Unknown7dMinutes { get; set; }
        public int Observed7dMinutes { get; set; }
        public string Online7d => Minutes.Text(Online7dMinutes);
        public string Offline7d => Minutes.Text(Offline7dMinutes);
        public double? Online7dPercent { get; set; }
        public double? Offline7dPercent { get; set; }
        public int Online30dMinutes { get; set; }
        public int Offline30dMinutes { get; set; }
        public int Unknown30dMinutes { get; set; }
        public int Observed30dMinutes { get; set; }
        public string Online30d => Minutes.Text(Online30dMinutes);
        public string Offline30d => Minutes.Text(Offline30dMinutes);
        public double? Online30dPercent { get; set; }
        public double? Offline30dPercent { get; set; }
        /// <summary>When the module first knew this computer's state (server local time).</summary>
        public DateTime? DataCollectedSince { get; set; }
        /// <summary>Exact days from DataCollectedSince to now (ProVal rounds this to whole days).</summary>
        public double? DaysSinceDataCollection { get; set; }
    }

    /// <summary>Get-ConnectionReport -Start/-End: one row per computer for any window.</summary>
    public sealed class ConnectionWindowRow : ComputerRow
    {
        public DateTime WindowStart { get; set; }
        public DateTime WindowEnd { get; set; }
        public int WindowMinutes { get; set; }
        public int OnlineMinutes { get; set; }
        public int OfflineMinutes { get; set; }
        public int UnknownMinutes { get; set; }
        public int ObservedMinutes { get; set; }
        public string Online => Minutes.Text(OnlineMinutes);
        public string Offline => Minutes.Text(OfflineMinutes);
        public double? OnlinePercent { get; set; }
        public double? OfflinePercent { get; set; }
    }

    /// <summary>Get-ConnectionHistory: one online, offline or unknown period of one computer.</summary>
    public sealed class ConnectionPeriodRow
    {
        public int ComputerId { get; set; }
        public string Computer { get; set; }
        public string Client { get; set; }
        public string Location { get; set; }
        public string State { get; set; }
        public DateTime Start { get; set; }
        public DateTime End { get; set; }
        public DateTime StartUtc { get; set; }
        public DateTime EndUtc { get; set; }
        public double DurationMinutes { get; set; }
        public string Duration { get; set; }
        /// <summary>The period runs to the end of the window (still going on when the window ends now).</summary>
        public bool Open { get; set; }
    }
}
