using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace AutomateAudit.Endpoint.Idle.Windows
{
    /// <summary>One entry of a TOKEN_GROUPS buffer: the SID as text and its SE_GROUP_* attributes.</summary>
    internal struct TokenGroup
    {
        public TokenGroup(string sid, uint attributes)
        {
            Sid = sid;
            Attributes = attributes;
        }

        public string Sid { get; }
        public uint Attributes { get; }
        public bool Enabled => (Attributes & TokenGroupsLayout.SE_GROUP_ENABLED) != 0;
        public bool DenyOnly => (Attributes & TokenGroupsLayout.SE_GROUP_USE_FOR_DENY_ONLY) != 0;
    }

    /// <summary>
    /// GetTokenInformation(TokenGroups) buffers and binary SIDs, read from bytes copied out of the buffer. Pure: the
    /// layouts are tested here with buffers laid out byte by byte.
    /// </summary>
    /// <remarks>
    /// TOKEN_GROUPS (winnt.h): DWORD GroupCount; SID_AND_ATTRIBUTES Groups[]. SID_AND_ATTRIBUTES: PSID Sid; DWORD
    /// Attributes. With MSVC's natural alignment:
    /// x64: GroupCount at 0, 4 bytes of padding, the array at 8, 16 bytes a row (pointer at +0, Attributes at +8, 4 bytes
    /// of padding); x86: GroupCount at 0, the array at 4, 8 bytes a row (pointer at +0, Attributes at +4).
    /// The SIDs follow in the same buffer and each Sid pointer is an address inside it, so a pointer becomes an offset
    /// by subtracting the buffer's address. SID (winnt.h): BYTE Revision (1); BYTE SubAuthorityCount (at most 15);
    /// SID_IDENTIFIER_AUTHORITY (6 bytes, big-endian); DWORD SubAuthority[count] (little-endian).
    /// </remarks>
    internal static class TokenGroupsLayout
    {
        public const uint SE_GROUP_MANDATORY = 0x00000001;
        public const uint SE_GROUP_ENABLED_BY_DEFAULT = 0x00000002;
        public const uint SE_GROUP_ENABLED = 0x00000004;
        public const uint SE_GROUP_OWNER = 0x00000008;
        public const uint SE_GROUP_USE_FOR_DENY_ONLY = 0x00000010;
        public const uint SE_GROUP_INTEGRITY = 0x00000020;
        public const uint SE_GROUP_INTEGRITY_ENABLED = 0x00000040;
        public const uint SE_GROUP_RESOURCE = 0x20000000;
        public const uint SE_GROUP_LOGON_ID = 0xC0000000;

        public const int SidMaxSubAuthorities = 15;
        /// <summary>Far more groups than any token holds (Kerberos tokens top out around a thousand): a count beyond it is a misread.</summary>
        public const int MaxGroups = 100000;

        public static int ArrayOffset(int pointerSize) => CheckPointerSize(pointerSize) == 8 ? 8 : 4;
        public static int Stride(int pointerSize) => CheckPointerSize(pointerSize) == 8 ? 16 : 8;
        public static int AttributesOffset(int pointerSize) => CheckPointerSize(pointerSize) == 8 ? 8 : 4;

        /// <summary>
        /// The groups of a TOKEN_GROUPS buffer that was at <paramref name="baseAddress"/> in a process of the given
        /// pointer size. Throws FormatException when a count, pointer or SID does not fit the buffer.
        /// </summary>
        public static List<TokenGroup> Parse(byte[] buffer, long baseAddress, int pointerSize)
        {
            if (buffer == null) throw new ArgumentNullException(nameof(buffer));
            int array = ArrayOffset(pointerSize), stride = Stride(pointerSize);
            if (buffer.Length < 4) throw new FormatException("A TOKEN_GROUPS buffer holds at least its count.");
            uint count = BitConverter.ToUInt32(buffer, 0);
            if (count > MaxGroups || array + (long)count * stride > buffer.Length)
                throw new FormatException($"A TOKEN_GROUPS buffer of {buffer.Length} bytes cannot hold {count} groups.");
            var groups = new List<TokenGroup>((int)count);
            for (int i = 0; i < count; i++)
            {
                int row = array + i * stride;
                long pointer = pointerSize == 8 ? BitConverter.ToInt64(buffer, row) : BitConverter.ToUInt32(buffer, row);
                uint attributes = BitConverter.ToUInt32(buffer, row + AttributesOffset(pointerSize));
                long offset = pointer - baseAddress;
                if (pointer == 0 || offset < array + (long)count * stride || offset >= buffer.Length)
                    throw new FormatException($"Group {i}: its SID pointer 0x{pointer:X} is not inside the buffer.");
                groups.Add(new TokenGroup(SidToString(buffer, (int)offset), attributes));
            }
            return groups;
        }

        /// <summary>The binary SID at <paramref name="offset"/> in the SDDL text form ConvertSidToStringSid gives ("S-1-5-32-544").</summary>
        public static string SidToString(byte[] buffer, int offset)
        {
            int length = SidLength(buffer, offset);
            ulong authority = 0;
            for (int i = 0; i < 6; i++) authority = (authority << 8) | buffer[offset + 2 + i];
            var text = new StringBuilder("S-1-");
            // ConvertSidToStringSid: decimal below 2^32, otherwise 0x and twelve hex digits.
            if (authority >> 32 == 0) text.Append(authority.ToString(CultureInfo.InvariantCulture));
            else text.Append("0x").Append(authority.ToString("X12", CultureInfo.InvariantCulture));
            int count = buffer[offset + 1];
            for (int i = 0; i < count; i++)
                text.Append('-').Append(BitConverter.ToUInt32(buffer, offset + 8 + 4 * i).ToString(CultureInfo.InvariantCulture));
            return text.ToString();
        }

        /// <summary>The length of the binary SID at <paramref name="offset"/>: 8 + 4 x SubAuthorityCount. Throws FormatException when it is not a SID or does not fit.</summary>
        public static int SidLength(byte[] buffer, int offset)
        {
            if (buffer == null) throw new ArgumentNullException(nameof(buffer));
            if (offset < 0 || offset + 8 > buffer.Length) throw new FormatException("A SID needs 8 bytes before its sub-authorities.");
            if (buffer[offset] != 1) throw new FormatException($"SID revision {buffer[offset]} is not 1.");
            int count = buffer[offset + 1];
            if (count > SidMaxSubAuthorities) throw new FormatException($"A SID has at most {SidMaxSubAuthorities} sub-authorities, not {count}.");
            int length = 8 + 4 * count;
            if (offset + length > buffer.Length) throw new FormatException("The SID runs past the end of the buffer.");
            return length;
        }

        private static int CheckPointerSize(int pointerSize)
        {
            if (pointerSize != 4 && pointerSize != 8) throw new ArgumentOutOfRangeException(nameof(pointerSize), "A pointer is 4 or 8 bytes.");
            return pointerSize;
        }
    }

    /// <summary>
    /// The admin flags Get-IdleSample reports, from the session user's token groups (read by the collector as SYSTEM,
    /// never from the user's files). A group counts whether it is enabled or deny-only: UAC's filtered token of an
    /// administrator carries BUILTIN\Administrators as use-for-deny-only, and the user is still an administrator.
    /// Local group membership through other groups is already expanded in the token.
    /// </summary>
    internal sealed class AdminFlags
    {
        public const string BuiltinAdministrators = "S-1-5-32-544";
        public const uint DomainAdminsRid = 512;
        public const uint EnterpriseAdminsRid = 519;

        public bool IsAdmin { get; private set; }
        public bool IsDomainAdmin { get; private set; }
        public bool IsEnterpriseAdmin { get; private set; }

        /// <summary>The flags for a token's group SIDs. A Domain or Enterprise Admin is also IsAdmin, as IdleMon reports them.</summary>
        public static AdminFlags FromSids(IEnumerable<string> sids)
        {
            var flags = new AdminFlags();
            foreach (string sid in sids ?? new string[0])
            {
                if (string.Equals(sid, BuiltinAdministrators, StringComparison.OrdinalIgnoreCase)) flags.IsAdmin = true;
                uint? rid = DomainRid(sid);
                if (rid == DomainAdminsRid) flags.IsDomainAdmin = true;
                if (rid == EnterpriseAdminsRid) flags.IsEnterpriseAdmin = true;
            }
            if (flags.IsDomainAdmin || flags.IsEnterpriseAdmin) flags.IsAdmin = true;
            return flags;
        }

        public static AdminFlags FromGroups(IEnumerable<TokenGroup> groups)
        {
            var sids = new List<string>();
            foreach (TokenGroup group in groups ?? new TokenGroup[0]) sids.Add(group.Sid);
            return FromSids(sids);
        }

        /// <summary>The relative id of a domain account SID, S-1-5-21-x-y-z-RID (exactly three domain sub-authorities); null for any other SID.</summary>
        public static uint? DomainRid(string sid)
        {
            if (sid == null) return null;
            string[] parts = sid.Split('-');
            if (parts.Length != 8 || !string.Equals(parts[0], "S", StringComparison.OrdinalIgnoreCase) || parts[1] != "1" || parts[2] != "5" || parts[3] != "21")
                return null;
            uint rid = 0;
            for (int i = 4; i < 8; i++)
                if (!uint.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out rid)) return null;
            return rid;
        }
    }
}
