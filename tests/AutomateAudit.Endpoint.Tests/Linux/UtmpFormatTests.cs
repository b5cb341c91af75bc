using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using AutomateAudit.Endpoint.Platform.Linux;

namespace AutomateAudit.Endpoint.Tests.Linux
{
    public sealed class UtmpFormatTests
    {
        private static UtmpRecord Sample() => new UtmpRecord
        {
            Type = UtmpType.UserProcess,
            Pid = 0x01020304,
            Line = "pts/7",
            Id = "ts/7",
            User = "alice",
            Host = "203.0.113.7",
            ExitTermination = 0x0102,
            ExitStatus = 0x0304,
            Session = 0x0A0B0C0D,
            Seconds = 1718000000,
            Microseconds = 123456,
            Address = IPAddress.Parse("203.0.113.7"),
        };

        private static void AssertAscii(byte[] b, int offset, int size, string text)
        {
            byte[] t = Encoding.ASCII.GetBytes(text);
            for (int i = 0; i < size; i++)
                Assert.Equal(i < t.Length ? t[i] : (byte)0, b[offset + i]);
        }

        private static void AssertLe32(byte[] b, int offset, uint v)
        {
            Assert.Equal((byte)v, b[offset]);
            Assert.Equal((byte)(v >> 8), b[offset + 1]);
            Assert.Equal((byte)(v >> 16), b[offset + 2]);
            Assert.Equal((byte)(v >> 24), b[offset + 3]);
        }

        [Fact]
        public void Compat32LayoutIsExactly384BytesAtGlibcOffsets()
        {
            byte[] b = UtmpFormat.Serialize(new[] { Sample() }, UtmpLayout.Compat32, littleEndian: true);
            Assert.Equal(384, b.Length);
            Assert.Equal(new byte[] { 7, 0, 0, 0 }, b.Take(4).ToArray());            // ut_type + 2 bytes padding
            AssertLe32(b, 4, 0x01020304);                                          // ut_pid
            AssertAscii(b, 8, 32, "pts/7");                                        // ut_line[32]
            AssertAscii(b, 40, 4, "ts/7");                                         // ut_id[4], no NUL
            AssertAscii(b, 44, 32, "alice");                                       // ut_user[32]
            AssertAscii(b, 76, 256, "203.0.113.7");                                // ut_host[256]
            Assert.Equal(new byte[] { 0x02, 0x01, 0x04, 0x03 }, b.Skip(332).Take(4).ToArray()); // ut_exit
            AssertLe32(b, 336, 0x0A0B0C0D);                                        // ut_session
            AssertLe32(b, 340, 1718000000);                                        // ut_tv.tv_sec
            AssertLe32(b, 344, 123456);                                            // ut_tv.tv_usec
            Assert.Equal(new byte[] { 203, 0, 113, 7 }, b.Skip(348).Take(4).ToArray()); // ut_addr_v6[0], network order
            Assert.All(b.Skip(352).Take(12), x => Assert.Equal(0, x));            // ut_addr_v6[1..3]
            Assert.All(b.Skip(364).Take(20), x => Assert.Equal(0, x));            // __glibc_reserved[20]
        }

        [Fact]
        public void Lp64LayoutIsExactly400BytesWithLongSessionAndTimeval()
        {
            byte[] b = UtmpFormat.Serialize(new[] { Sample() }, UtmpLayout.Lp64, littleEndian: true);
            Assert.Equal(400, b.Length);
            AssertLe32(b, 4, 0x01020304);
            AssertAscii(b, 44, 32, "alice");
            AssertLe32(b, 336, 0x0A0B0C0D); AssertLe32(b, 340, 0);                 // long ut_session
            AssertLe32(b, 344, 1718000000); AssertLe32(b, 348, 0);                 // int64 tv_sec
            AssertLe32(b, 352, 123456); AssertLe32(b, 356, 0);                     // int64 tv_usec
            Assert.Equal(new byte[] { 203, 0, 113, 7 }, b.Skip(360).Take(4).ToArray());
            Assert.All(b.Skip(364).Take(36), x => Assert.Equal(0, x));
        }

        [Theory]
        [InlineData(384, true)]
        [InlineData(384, false)]
        [InlineData(400, true)]
        [InlineData(400, false)]
        public void RoundTripsEveryField(int recordSize, bool littleEndian)
        {
            var layout = (UtmpLayout)recordSize;
            UtmpRecord a = Sample();
            byte[] b = UtmpFormat.Serialize(new[] { a, a }, layout, littleEndian);
            UtmpRecord r = UtmpFormat.Parse(b, (int)layout, layout, littleEndian);
            Assert.Equal(a.Type, r.Type);
            Assert.Equal(a.Pid, r.Pid);
            Assert.Equal(a.Line, r.Line);
            Assert.Equal(a.Id, r.Id);
            Assert.Equal(a.User, r.User);
            Assert.Equal(a.Host, r.Host);
            Assert.Equal(a.ExitTermination, r.ExitTermination);
            Assert.Equal(a.ExitStatus, r.ExitStatus);
            Assert.Equal(a.Session, r.Session);
            Assert.Equal(a.Seconds, r.Seconds);
            Assert.Equal(a.Microseconds, r.Microseconds);
            Assert.Equal(a.AddressBytes, r.AddressBytes);
            Assert.Equal(new DateTime(2024, 6, 10, 6, 13, 20, DateTimeKind.Utc).AddTicks(1234560), r.TimeUtc);
            Assert.Equal(DateTimeKind.Utc, r.TimeUtc.Value.Kind);
        }

        [Fact]
        public void ParsesAHandLaidRecordAsGlibcWritesIt()
        {
            var b = new byte[384];
            b[0] = 8;                                            // DEAD_PROCESS
            b[4] = 0x39; b[5] = 0x30;                            // pid 12345
            Encoding.ASCII.GetBytes("tty1").CopyTo(b, 8);
            Encoding.ASCII.GetBytes("0123456789abcdef0123456789ABCDEF").CopyTo(b, 44); // 32 bytes, no NUL
            b[340] = 0xFF; b[341] = 0xFF; b[342] = 0xFF; b[343] = 0xFF; // tv_sec 0xFFFFFFFF: unsigned, 2106
            var r = UtmpFormat.Parse(b, 0, UtmpLayout.Compat32, littleEndian: true);
            Assert.Equal(UtmpType.DeadProcess, r.Type);
            Assert.Equal(12345, r.Pid);
            Assert.Equal("tty1", r.Line);
            Assert.Equal("0123456789abcdef0123456789ABCDEF", r.User);
            Assert.Equal("", r.Host);
            Assert.Equal(4294967295L, r.Seconds);
            Assert.Equal(2106, r.TimeUtc.Value.Year);
            Assert.Null(r.Address);
        }

        [Fact]
        public void LongStringsAreCutToTheirFieldsWithoutSpillingIntoTheNext()
        {
            var a = new UtmpRecord { Type = UtmpType.UserProcess, Line = new string('l', 40), Id = "abcdef", User = new string('u', 40), Host = "h" };
            byte[] b = UtmpFormat.Serialize(new[] { a }, UtmpLayout.Compat32);
            var r = UtmpFormat.Parse(b, UtmpLayout.Compat32);
            Assert.Equal(new string('l', 32), r.Line);
            Assert.Equal("abcd", r.Id);
            Assert.Equal(new string('u', 32), r.User);
            Assert.Equal("h", r.Host);
        }

        [Fact]
        public void AddressesDecodeAsLastDoes()
        {
            var r = new UtmpRecord();
            Assert.Null(r.Address);
            r.Address = IPAddress.Parse("2001:db8::42");
            Assert.Equal("2001:db8::42", r.Address.ToString());
            r.Address = IPAddress.Parse("192.0.2.1");
            Assert.Equal(new byte[] { 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, r.AddressBytes);
            Assert.Equal("192.0.2.1", r.Address.ToString());
            r.AddressBytes = IPAddress.Parse("::ffff:192.0.2.9").GetAddressBytes();
            Assert.Equal("192.0.2.9", r.Address.ToString());
        }

        [Fact]
        public void TimeSetterKeepsMicroseconds()
        {
            var t = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc).AddTicks(9876543);
            var r = new UtmpRecord();
            r.SetTimeUtc(t);
            Assert.Equal(t.AddTicks(-3), r.TimeUtc);   // 100 ns ticks below a microsecond are dropped
        }

        [Fact]
        public void ReadFileStreamsRecordsAndIgnoresATrailingPartialRecord()
        {
            string path = Path.GetTempFileName();
            try
            {
                var records = Enumerable.Range(1, 600).Select(i => new UtmpRecord { Type = UtmpType.UserProcess, Pid = i, User = "u" + i, Line = "pts/" + i }).ToList();
                byte[] bytes = UtmpFormat.Serialize(records, UtmpLayout.Compat32);
                File.WriteAllBytes(path, bytes.Concat(new byte[100]).ToArray());
                var read = UtmpFormat.ReadFile(path, UtmpLayout.Compat32).ToList();
                Assert.Equal(600, read.Count);
                Assert.Equal(Enumerable.Range(1, 600), read.Select(x => x.Pid));
                Assert.Equal("u600", read[599].User);
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void HostLayoutFollowsGlibcPerArchitecture()
        {
            Assert.Equal(UtmpLayout.Compat32, UtmpFormat.LayoutFor(Architecture.X64));
            Assert.Equal(UtmpLayout.Compat32, UtmpFormat.LayoutFor(Architecture.X86));
            Assert.Equal(UtmpLayout.Compat32, UtmpFormat.LayoutFor(Architecture.Arm));
            Assert.Equal(UtmpLayout.Lp64, UtmpFormat.LayoutFor(Architecture.Arm64));
            Assert.Equal(UtmpLayout.Lp64, UtmpFormat.LayoutFor(Architecture.S390x));
            Assert.Equal(UtmpLayout.Compat32, UtmpFormat.LayoutFor(Architecture.RiscV64));
        }
    }
}
