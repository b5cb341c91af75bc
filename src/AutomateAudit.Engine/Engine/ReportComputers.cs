using System;
using System.Collections.Generic;
using AutomateAudit.Storage;

namespace AutomateAudit.Engine
{
    /// <summary>The computers a report covers, in chunks in ComputerID order, and the computer columns every report row starts with.</summary>
    internal sealed class ReportComputers
    {
        private const int FirstChunk = 500;
        private const int Chunk = 5000;

        private readonly ComputerStore _computers;
        private readonly ServerClock _clock;
        private readonly TimeSpan _offlineAfter;

        public ReportComputers(ComputerStore computers, ServerClock clock, TimeSpan offlineAfter)
        {
            _computers = computers;
            _clock = clock;
            _offlineAfter = offlineAfter;
        }

        /// <summary>A small first chunk, so the first rows appear at once; then large ones.</summary>
        public IEnumerable<List<ComputerRecord>> Chunks(ComputerFilter filter)
        {
            ComputerQuery query = filter?.ToQuery();
            int after = int.MinValue;
            int size = FirstChunk;
            while (true)
            {
                var chunk = _computers.Chunk(query, after, size, _clock.NowLocal, _clock.NowUtc);
                if (chunk.Count == 0) yield break;
                foreach (ComputerRecord c in chunk)
                {
                    c.Client = Shared(c.Client); c.Location = Shared(c.Location);
                    c.OperatingSystem = Shared(c.OperatingSystem); c.OsVersion = Shared(c.OsVersion); c.BiosFlash = Shared(c.BiosFlash);
                }
                yield return chunk;
                if (chunk.Count < size) yield break;
                after = chunk[chunk.Count - 1].ComputerId;
                size = Chunk;
            }
        }

        /// <summary>
        /// One copy of each client, location and operating system name for the whole report: the rows a caller keeps
        /// (100,000 of them) would otherwise hold a copy each, for the garbage collector to trace.
        /// </summary>
        private string Shared(string name)
        {
            if (name == null) return null;
            if (_names.TryGetValue(name, out string shared)) return shared;
            _names.Add(name, name);
            return name;
        }

        private readonly Dictionary<string, string> _names = new Dictionary<string, string>(StringComparer.Ordinal);

        public T Fill<T>(T row, ComputerRecord c) where T : ComputerRow
        {
            row.ClientId = c.ClientId; row.LocationId = c.LocationId; row.ComputerId = c.ComputerId;
            row.Client = c.Client; row.Location = c.Location; row.Computer = c.Computer;
            row.OperatingSystem = c.OperatingSystem;
            row.LastContact = c.LastContact;
            row.LastLoggedInUser = c.LastLoggedInUser;
            // Decided in UTC (rule 1): the repeated hour of a DST fall-back cannot make a silent agent look fresh.
            row.MinutesSinceLastContact = c.LastContactUtc.HasValue ? (int?)Math.Floor((_clock.NowUtc - c.LastContactUtc.Value).TotalMinutes) : null;
            row.Status = c.LastContactUtc.HasValue && c.LastContactUtc.Value > _clock.NowUtc - _offlineAfter ? "Online" : "Offline";
            row.FormFactor = FormFactor(c.OperatingSystem, c.BiosFlash, c.Flags);
            return row;
        }

        internal static string FormFactor(string os, string biosFlash, long flags)
        {
            if (os != null && os.IndexOf("server", StringComparison.OrdinalIgnoreCase) >= 0)
                return (flags & 2048) != 0 ? "Virtual Server" : "Physical Server";
            if (biosFlash != null && biosFlash.IndexOf("portable", StringComparison.OrdinalIgnoreCase) >= 0) return "Laptop";
            return "Desktop";
        }

        /// <summary>When the module first knew this computer's state: its first recorded change, or the start of observation if later.</summary>
        public static DateTime? FirstSeen(ComputerRecord computer, Coverage coverage)
        {
            DateTime? first = computer.FirstSeenUtc;
            if (first.HasValue && coverage.FirstObservedUtc.HasValue && coverage.FirstObservedUtc > first) first = coverage.FirstObservedUtc;
            return first;
        }
    }
}
