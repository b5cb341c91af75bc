using System;
using System.Collections.Generic;
using System.Globalization;
using AutomateAudit.Endpoint.Platform.Windows;

namespace AutomateAudit.Endpoint.Idle.Windows
{
    /// <summary>What the sampler does with one sample: the log line to append (if any), the idle.now line, and whether to rotate the log first.</summary>
    internal struct IdleSamplerStep
    {
        public IdleLogLine? Line;
        public IdleNow Now;
        public bool Rotate;
    }

    /// <summary>
    /// The Windows sampler's loop body, pure: fed the raw readings (GetTickCount64, LASTINPUTINFO.dwTime and
    /// WTSINFOEX_LEVEL1.SessionFlags) it computes the idle time and lock state, feeds <see cref="IdleTracker"/> and says
    /// what to write. Program.cs only calls Windows and writes what this returns.
    /// </summary>
    internal sealed class IdleSamplerLoop
    {
        private readonly IdleTracker _tracker;
        private readonly bool _lockFlagsSwapped;
        private DateTime? _rotatedOn;

        public IdleSamplerLoop(int sessionId, TimeSpan threshold, bool lockFlagsSwapped)
        {
            if (sessionId < 0) throw new ArgumentOutOfRangeException(nameof(sessionId));
            SessionId = sessionId;
            _tracker = new IdleTracker(sessionId.ToString(CultureInfo.InvariantCulture), threshold);
            _lockFlagsSwapped = lockFlagsSwapped;
        }

        public int SessionId { get; }

        /// <summary>
        /// One sample. <paramref name="sessionFlags"/> is null when WTS gave no flags; an unknown lock state counts as
        /// unlocked (the idle time from the last input still counts). The log rotates on the first sample and then
        /// once every UTC day.
        /// </summary>
        public IdleSamplerStep Step(DateTime nowUtc, ulong tickCount64, uint lastInputTick, int? sessionFlags)
        {
            TimeSpan idle = IdleTicks.Idle(tickCount64, lastInputTick);
            bool locked = WtsLayout.IsLocked(sessionFlags, _lockFlagsSwapped) ?? false;
            bool rotate = _rotatedOn != nowUtc.Date;
            if (rotate) _rotatedOn = nowUtc.Date;
            return new IdleSamplerStep
            {
                Rotate = rotate,
                Line = _tracker.Sample(nowUtc, idle, locked),
                Now = new IdleNow(nowUtc, idle, locked, SessionId),
            };
        }

        /// <summary>The line that ends the log at session end or shutdown.</summary>
        public IdleLogLine Stop(DateTime nowUtc) => _tracker.Stop(nowUtc);
    }

    /// <summary>The sampler's command line: "/threshold:&lt;seconds&gt;" (default 300, from 60 to 86400). Anything else is an error.</summary>
    internal sealed class IdleSamplerOptions
    {
        public static readonly TimeSpan DefaultThreshold = TimeSpan.FromMinutes(5);
        public static readonly TimeSpan MinThreshold = TimeSpan.FromMinutes(1);
        public static readonly TimeSpan MaxThreshold = TimeSpan.FromDays(1);

        public TimeSpan Threshold { get; private set; } = DefaultThreshold;

        /// <summary>The arguments as parsed, or null with <paramref name="error"/> set.</summary>
        public static IdleSamplerOptions Parse(IReadOnlyList<string> args, out string error)
        {
            error = null;
            var options = new IdleSamplerOptions();
            foreach (string arg in args ?? new string[0])
            {
                const string prefix = "/threshold:";
                if (arg != null && arg.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(arg.Substring(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int seconds)
                    && seconds >= MinThreshold.TotalSeconds && seconds <= MaxThreshold.TotalSeconds)
                {
                    options.Threshold = TimeSpan.FromSeconds(seconds);
                    continue;
                }
                error = $"Unknown or out-of-range argument '{arg}'. Usage: AutomateAudit.IdleSampler.exe [/threshold:<seconds {MinThreshold.TotalSeconds}-{MaxThreshold.TotalSeconds}>]";
                return null;
            }
            return options;
        }

        /// <summary>The arguments for a threshold (empty for the default), for the task and CreateProcessAsUser.</summary>
        public static string Format(TimeSpan? threshold)
        {
            if (threshold == null || threshold.Value == DefaultThreshold) return string.Empty;
            TimeSpan t = threshold.Value;
            if (t < MinThreshold || t > MaxThreshold || t.Ticks % TimeSpan.TicksPerSecond != 0)
                throw new ArgumentOutOfRangeException(nameof(threshold), $"The idle threshold is whole seconds from {MinThreshold} to {MaxThreshold}.");
            return "/threshold:" + ((long)t.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }
    }
}
