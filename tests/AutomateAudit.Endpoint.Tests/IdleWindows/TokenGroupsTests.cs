using System;
using System.Globalization;
using System.Linq;
using AutomateAudit.Endpoint.Idle.Windows;
using AutomateAudit.Endpoint.Tests.Windows;

namespace AutomateAudit.Endpoint.Tests.IdleWindows
{
    public class TokenGroupsTests
    {
        // Binary SIDs as Windows stores them: revision 1, sub-authority count, 6-byte identifier authority big-endian,
        // sub-authorities as little-endian DWORDs. Written out byte by byte.
        private const string DomainUsers =   // S-1-5-21-1004336348-1177238915-682003330-513 (28 bytes)
            "01 05 00 00 00 00 00 05 15 00 00 00 DC F4 DC 3B 83 3D 2B 46 82 8B A6 28 01 02 00 00";
        private const string Everyone =      // S-1-1-0 (12 bytes)
            "01 01 00 00 00 00 00 01 00 00 00 00";
        private const string Administrators = // S-1-5-32-544 (16 bytes)
            "01 02 00 00 00 00 00 05 20 00 00 00 20 02 00 00";
        private const string LogonSid =      // S-1-5-5-0-123456 (20 bytes)
            "01 03 00 00 00 00 00 05 05 00 00 00 00 00 00 00 40 E2 01 00";
        private const string Medium =        // S-1-16-8192, mandatory label (12 bytes)
            "01 01 00 00 00 00 00 10 00 20 00 00";
        private const string DomainAdmins =  // S-1-5-21-1004336348-1177238915-682003330-512 (28 bytes)
            "01 05 00 00 00 00 00 05 15 00 00 00 DC F4 DC 3B 83 3D 2B 46 82 8B A6 28 00 02 00 00";
        private const string EnterpriseAdmins = // S-1-5-21-3623811015-3361044348-30300820-519, a forest root domain (28 bytes)
            "01 05 00 00 00 00 00 05 15 00 00 00 C7 F7 FE D7 7C 77 55 C8 94 5A CE 01 07 02 00 00";

        private const long X64Base = 0x000001F23A400000;
        private const long X86Base = 0x00A51000;

        private static WindowsBuffer Hex(WindowsBuffer buffer, int offset, string hex)
        {
            byte[] bytes = hex.Split(' ').Select(h => byte.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
            Array.Copy(bytes, 0, buffer.Bytes, offset, bytes.Length);
            return buffer;
        }

        /// <summary>
        /// A UAC-filtered administrator's TOKEN_GROUPS from a 64-bit process: GroupCount at 0, 4 bytes of padding, five
        /// SID_AND_ATTRIBUTES of 16 bytes from 8 (PSID at +0, Attributes at +8, 4 bytes padding), the SIDs from 88.
        /// </summary>
        private static byte[] FilteredAdminX64()
        {
            var b = new WindowsBuffer(176).Dword(0, 5);
            b.Qword(8 + 0 * 16, X64Base + 88).Dword(8 + 0 * 16 + 8, 0x00000007);   // Domain Users: mandatory, enabled
            b.Qword(8 + 1 * 16, X64Base + 116).Dword(8 + 1 * 16 + 8, 0x00000007);  // Everyone
            b.Qword(8 + 2 * 16, X64Base + 128).Dword(8 + 2 * 16 + 8, 0x00000010);  // Administrators: deny-only (UAC)
            b.Qword(8 + 3 * 16, X64Base + 144).Dword(8 + 3 * 16 + 8, unchecked((int)0xC0000007)); // logon SID
            b.Qword(8 + 4 * 16, X64Base + 164).Dword(8 + 4 * 16 + 8, 0x00000060);  // integrity label
            Hex(b, 88, DomainUsers);
            Hex(b, 116, Everyone);
            Hex(b, 128, Administrators);
            Hex(b, 144, LogonSid);
            Hex(b, 164, Medium);
            return b.Bytes;
        }

        /// <summary>The same token from a 32-bit process: the array at 4, 8-byte rows (PSID at +0, Attributes at +4), SIDs from 44.</summary>
        private static byte[] FilteredAdminX86()
        {
            var b = new WindowsBuffer(132).Dword(0, 5);
            b.Dword(4 + 0 * 8, (int)(X86Base + 44)).Dword(4 + 0 * 8 + 4, 0x00000007);
            b.Dword(4 + 1 * 8, (int)(X86Base + 72)).Dword(4 + 1 * 8 + 4, 0x00000007);
            b.Dword(4 + 2 * 8, (int)(X86Base + 84)).Dword(4 + 2 * 8 + 4, 0x00000010);
            b.Dword(4 + 3 * 8, (int)(X86Base + 100)).Dword(4 + 3 * 8 + 4, unchecked((int)0xC0000007));
            b.Dword(4 + 4 * 8, (int)(X86Base + 120)).Dword(4 + 4 * 8 + 4, 0x00000060);
            Hex(b, 44, DomainUsers);
            Hex(b, 72, Everyone);
            Hex(b, 84, Administrators);
            Hex(b, 100, LogonSid);
            Hex(b, 120, Medium);
            return b.Bytes;
        }

        private static readonly string[] ExpectedSids =
        {
            "S-1-5-21-1004336348-1177238915-682003330-513", "S-1-1-0", "S-1-5-32-544", "S-1-5-5-0-123456", "S-1-16-8192",
        };

        [Fact]
        public void X64_buffer_parses_to_sids_and_attributes()
        {
            var groups = TokenGroupsLayout.Parse(FilteredAdminX64(), X64Base, 8);
            Assert.Equal(ExpectedSids, groups.Select(g => g.Sid));
            Assert.Equal(new uint[] { 7, 7, 0x10, 0xC0000007, 0x60 }, groups.Select(g => g.Attributes));
            Assert.True(groups[2].DenyOnly);
            Assert.False(groups[2].Enabled);
            Assert.True(groups[0].Enabled);
        }

        [Fact]
        public void X86_buffer_parses_the_same()
        {
            var groups = TokenGroupsLayout.Parse(FilteredAdminX86(), X86Base, 4);
            Assert.Equal(ExpectedSids, groups.Select(g => g.Sid));
            Assert.Equal(new uint[] { 7, 7, 0x10, 0xC0000007, 0x60 }, groups.Select(g => g.Attributes));
        }

        [Fact]
        public void Sids_are_found_through_their_pointers_in_any_order()
        {
            // Two groups whose SIDs are stored in the reverse order of the array.
            var b = new WindowsBuffer(8 + 2 * 16 + 28 + 28).Dword(0, 2);
            b.Qword(8, X64Base + 68).Dword(16, 7);   // first group -> the second SID
            b.Qword(24, X64Base + 40).Dword(32, 7);  // second group -> the first SID
            Hex(b, 40, DomainAdmins);
            Hex(b, 68, EnterpriseAdmins);
            var groups = TokenGroupsLayout.Parse(b.Bytes, X64Base, 8);
            Assert.Equal("S-1-5-21-3623811015-3361044348-30300820-519", groups[0].Sid);
            Assert.Equal("S-1-5-21-1004336348-1177238915-682003330-512", groups[1].Sid);
        }

        [Fact]
        public void Empty_token_groups()
        {
            Assert.Empty(TokenGroupsLayout.Parse(new WindowsBuffer(8).Dword(0, 0).Bytes, X64Base, 8));
        }

        [Fact]
        public void Malformed_buffers_throw_format_exception()
        {
            byte[] good = FilteredAdminX64();
            // a count the buffer cannot hold
            var tooMany = (byte[])good.Clone(); tooMany[0] = 50;
            Assert.Throws<FormatException>(() => TokenGroupsLayout.Parse(tooMany, X64Base, 8));
            // a pointer outside the buffer, and one into the array itself
            var outside = new WindowsBuffer(176); Array.Copy(good, outside.Bytes, 176); outside.Qword(8, X64Base + 4096);
            Assert.Throws<FormatException>(() => TokenGroupsLayout.Parse(outside.Bytes, X64Base, 8));
            var intoArray = new WindowsBuffer(176); Array.Copy(good, intoArray.Bytes, 176); intoArray.Qword(8, X64Base + 8);
            Assert.Throws<FormatException>(() => TokenGroupsLayout.Parse(intoArray.Bytes, X64Base, 8));
            // the wrong base address
            Assert.Throws<FormatException>(() => TokenGroupsLayout.Parse(good, X64Base + 0x10000, 8));
            // a SID with revision 2, and one claiming 16 sub-authorities
            var revision = (byte[])good.Clone(); revision[88] = 2;
            Assert.Throws<FormatException>(() => TokenGroupsLayout.Parse(revision, X64Base, 8));
            var subs = (byte[])good.Clone(); subs[164 + 1] = 16;
            Assert.Throws<FormatException>(() => TokenGroupsLayout.Parse(subs, X64Base, 8));
            // a SID running past the end
            var past = (byte[])good.Clone(); past[164 + 1] = 3;
            Assert.Throws<FormatException>(() => TokenGroupsLayout.Parse(past, X64Base, 8));
            Assert.Throws<ArgumentOutOfRangeException>(() => TokenGroupsLayout.Parse(good, X64Base, 6));
        }

        [Fact]
        public void Sid_text_with_a_large_identifier_authority_is_hex()
        {
            var b = Hex(new WindowsBuffer(12), 0, "01 01 12 34 56 78 9A BC 01 00 00 00");
            Assert.Equal("S-1-0x123456789ABC-1", TokenGroupsLayout.SidToString(b.Bytes, 0));
            Assert.Equal(12, TokenGroupsLayout.SidLength(b.Bytes, 0));
        }

        // ---------- admin rules ----------

        [Fact]
        public void Uac_filtered_admin_is_admin_through_the_deny_only_group()
        {
            var flags = AdminFlags.FromGroups(TokenGroupsLayout.Parse(FilteredAdminX64(), X64Base, 8));
            Assert.True(flags.IsAdmin);
            Assert.False(flags.IsDomainAdmin);
            Assert.False(flags.IsEnterpriseAdmin);
        }

        [Fact]
        public void Direct_member_of_administrators()
        {
            var flags = AdminFlags.FromSids(new[] { "S-1-1-0", "S-1-5-32-545", "S-1-5-32-544" });
            Assert.True(flags.IsAdmin);
            Assert.False(flags.IsDomainAdmin);
        }

        [Fact]
        public void Plain_user_is_no_admin()
        {
            var flags = AdminFlags.FromSids(new[] { "S-1-1-0", "S-1-5-32-545", "S-1-5-21-1004336348-1177238915-682003330-513", "S-1-5-4", "S-1-5-11" });
            Assert.False(flags.IsAdmin);
            Assert.False(flags.IsDomainAdmin);
            Assert.False(flags.IsEnterpriseAdmin);
        }

        [Fact]
        public void Domain_admin_implies_admin()
        {
            var flags = AdminFlags.FromSids(new[] { "S-1-5-21-1004336348-1177238915-682003330-512" });
            Assert.True(flags.IsDomainAdmin);
            Assert.True(flags.IsAdmin);
            Assert.False(flags.IsEnterpriseAdmin);
        }

        [Fact]
        public void Enterprise_admin_from_the_buffer()
        {
            var b = new WindowsBuffer(4 + 8 + 28).Dword(0, 1);
            b.Dword(4, (int)(X86Base + 12)).Dword(8, 0x10); // deny-only counts as well
            Hex(b, 12, EnterpriseAdmins);
            var flags = AdminFlags.FromGroups(TokenGroupsLayout.Parse(b.Bytes, X86Base, 4));
            Assert.True(flags.IsEnterpriseAdmin);
            Assert.True(flags.IsAdmin);
            Assert.False(flags.IsDomainAdmin);
        }

        [Theory]
        [InlineData("S-1-5-21-1-2-3-512", 512u)]
        [InlineData("S-1-5-21-1-2-3-519", 519u)]
        [InlineData("S-1-5-21-1-2-512", null)]      // too few domain sub-authorities
        [InlineData("S-1-5-21-1-2-3-4-512", null)]  // too many
        [InlineData("S-1-5-32-512", null)]          // not a domain SID
        [InlineData("S-1-5-22-1-2-3-512", null)]
        [InlineData("S-1-5-21-1-2-3-x", null)]
        public void Domain_rid(string sid, uint? rid)
        {
            Assert.Equal(rid, AdminFlags.DomainRid(sid));
        }
    }
}
