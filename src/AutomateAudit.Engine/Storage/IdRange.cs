using System.Collections.Generic;
using System.Linq;

namespace AutomateAudit.Storage
{
    /// <summary>
    /// Whether a set of ComputerIDs is better read as one range of a key (BETWEEN its first and last) than as a list:
    /// when at most half the range is other computers. A report's chunks of the whole fleet are dense; a filtered
    /// report's (one client's computers, spread over the fleet) usually are not.
    /// </summary>
    internal static class IdRange
    {
        public static bool IsDense(IReadOnlyCollection<int> ids, out int lo, out int hi)
        {
            lo = ids.Min();
            hi = ids.Max();
            return (long)hi - lo + 1 <= 2L * ids.Count;
        }
    }
}
