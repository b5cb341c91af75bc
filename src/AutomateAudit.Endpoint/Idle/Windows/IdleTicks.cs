using System;

namespace AutomateAudit.Endpoint.Idle.Windows
{
    /// <summary>
    /// Idle time from GetLastInputInfo's dwTime (a 32-bit GetTickCount value, milliseconds since boot, which wraps
    /// every 49.7 days) and GetTickCount64 (which never wraps). Pure: the sampler passes the two raw values.
    /// </summary>
    /// <remarks>
    /// The difference is taken in unsigned 32-bit arithmetic, <c>(uint)now64 - dwTime</c>: modulo 2^32 it is right
    /// across the wrap (dwTime just below 0xFFFFFFFF, now just past it) and after 24.9 days, where signed 32-bit
    /// arithmetic (IdleMon's) turns negative. The one thing 32 bits cannot tell is an idle stretch of 49.7 days or
    /// more; it reads as the remainder. Call GetLastInputInfo first and GetTickCount64 second: input arriving between
    /// the two calls then cannot put dwTime after "now".
    /// </remarks>
    internal static class IdleTicks
    {
        /// <summary>
        /// A dwTime this far "after" now (at most about a minute) is input that raced the two calls, or a clock
        /// quirk: idle 0, not 49.7 days.
        /// </summary>
        public const uint AheadTolerance = 65536;

        /// <summary>The idle time: now (GetTickCount64) minus the last input (LASTINPUTINFO.dwTime).</summary>
        public static TimeSpan Idle(ulong nowTickCount64, uint lastInputTick)
        {
            uint elapsed = unchecked((uint)nowTickCount64 - lastInputTick);
            if (elapsed > uint.MaxValue - AheadTolerance) return TimeSpan.Zero;
            // No input can be older than the boot: never report more idle time than uptime.
            ulong milliseconds = Math.Min(elapsed, nowTickCount64);
            return TimeSpan.FromTicks((long)milliseconds * TimeSpan.TicksPerMillisecond);
        }
    }
}
