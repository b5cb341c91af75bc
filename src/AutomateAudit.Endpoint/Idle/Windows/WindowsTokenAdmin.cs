using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace AutomateAudit.Endpoint.Idle.Windows
{
    /// <summary>
    /// The admin flags of the user logged on to a session, from that user's token: WTSQueryUserToken (LocalSystem only)
    /// then GetTokenInformation(TokenGroups), copied out and parsed by <see cref="TokenGroupsLayout"/>. Thin; Windows only.
    /// </summary>
    internal static class WindowsTokenAdmin
    {
        /// <summary>The flags for the session's user; null when unknown (not SYSTEM, no user in the session, or a call failed).</summary>
        public static AdminFlags ForSession(int sessionId)
        {
            List<TokenGroup> groups = GroupsOfSessionUser(sessionId);
            return groups == null ? null : AdminFlags.FromGroups(groups);
        }

        public static List<TokenGroup> GroupsOfSessionUser(int sessionId)
        {
            IntPtr token = IntPtr.Zero;
            try
            {
                if (!IdleNativeMethods.WTSQueryUserToken(sessionId, out token)) { token = IntPtr.Zero; return null; }
                return Groups(token);
            }
            catch (DllNotFoundException) { return null; }
            catch (EntryPointNotFoundException) { return null; }
            finally
            {
                if (token != IntPtr.Zero) IdleNativeMethods.CloseHandle(token);
            }
        }

        /// <summary>The groups of an open token (TOKEN_QUERY access); null when the call fails or the buffer does not parse.</summary>
        public static List<TokenGroup> Groups(IntPtr token)
        {
            IdleNativeMethods.GetTokenInformation(token, IdleNativeMethods.TokenGroups, IntPtr.Zero, 0, out int needed);
            for (int attempt = 0; attempt < 3 && needed > 0 && needed <= 16 * 1024 * 1024; attempt++)
            {
                IntPtr buffer = Marshal.AllocHGlobal(needed);
                try
                {
                    if (IdleNativeMethods.GetTokenInformation(token, IdleNativeMethods.TokenGroups, buffer, needed, out int written))
                    {
                        var bytes = new byte[Math.Min(written, needed)];
                        Marshal.Copy(buffer, bytes, 0, bytes.Length);
                        // The SID pointers in the buffer point into it: parse relative to its address.
                        try { return TokenGroupsLayout.Parse(bytes, buffer.ToInt64(), IntPtr.Size); }
                        catch (FormatException) { return null; }
                    }
                    if (Marshal.GetLastWin32Error() != IdleNativeMethods.ERROR_INSUFFICIENT_BUFFER || written <= needed) return null;
                    needed = written; // the groups changed between the calls: ask again with the new size
                }
                finally
                {
                    Marshal.FreeHGlobal(buffer);
                }
            }
            return null;
        }
    }
}
