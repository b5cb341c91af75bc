using System.Runtime.CompilerServices;

namespace AutomateAudit.Engine
{
    /// <summary>
    /// For the few loops a report runs once per row of a whole fleet. A fresh pwsh process runs new code unoptimized
    /// until the runtime's background compiler has seen it called often enough; for these loops that is most of a
    /// report. Such methods are compiled optimized at their first call instead (and left out of the ReadyToRun images).
    /// </summary>
    internal static class Hot
    {
        /// <summary>MethodImplOptions.AggressiveOptimization, which netstandard2.0 does not name; .NET Framework ignores the bit.</summary>
        public const MethodImplOptions Loop = (MethodImplOptions)512;
    }
}
