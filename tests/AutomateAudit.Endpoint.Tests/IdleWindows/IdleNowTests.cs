using System;
using System.IO;
using AutomateAudit.Endpoint.Idle.Windows;
using AutomateAudit.Endpoint.Tests.Linux;

namespace AutomateAudit.Endpoint.Tests.IdleWindows
{
    public class IdleNowTests
    {
        private static readonly DateTime T = new DateTime(2026, 11, 25, 13, 5, 0, DateTimeKind.Utc);

        [Fact]
        public void Formats_one_line()
        {
            var now = new IdleNow(T.AddMilliseconds(870), TimeSpan.FromSeconds(37.9), false, 3);
            Assert.Equal("2026-11-25T13:05:00Z 37 0 3", now.ToString());
            Assert.Equal("2026-11-25T13:05:00Z 0 1 12", new IdleNow(T, TimeSpan.FromSeconds(-4), true, 12).ToString());
        }

        [Fact]
        public void Round_trips()
        {
            var original = new IdleNow(T, new TimeSpan(1, 2, 3, 4), true, 7);
            IdleNow? parsed = IdleNow.Parse(original.ToString() + "\r\n");
            Assert.True(parsed.HasValue);
            Assert.Equal(T, parsed.Value.Utc);
            Assert.Equal(DateTimeKind.Utc, parsed.Value.Utc.Kind);
            Assert.Equal(new TimeSpan(1, 2, 3, 4), parsed.Value.Idle);
            Assert.True(parsed.Value.Locked);
            Assert.Equal(7, parsed.Value.SessionId);
        }

        [Theory]
        [InlineData("")]
        [InlineData("2026-11-25T13:05:00Z 37 0")]                 // a field missing
        [InlineData("2026-11-25T13:05:00Z 37 0 3 extra")]
        [InlineData("2026-11-25T13:05:00Z  37 0 3")]              // two spaces
        [InlineData("2026-11-25 13:05:00Z 37 0 3")]
        [InlineData("2026-11-25T13:05:00 37 0 3")]                // no Z
        [InlineData("2026-11-25T13:05:00+01:00 37 0 3")]
        [InlineData("2026-13-25T13:05:00Z 37 0 3")]               // month 13
        [InlineData("2026-11-25T13:05:00Z -5 0 3")]
        [InlineData("2026-11-25T13:05:00Z +5 0 3")]
        [InlineData("2026-11-25T13:05:00Z 3.5 0 3")]
        [InlineData("2026-11-25T13:05:00Z 99999999 0 3")]         // beyond 60 days
        [InlineData("2026-11-25T13:05:00Z 37 2 3")]               // locked is 0 or 1
        [InlineData("2026-11-25T13:05:00Z 37 true 3")]
        [InlineData("2026-11-25T13:05:00Z 37 0 -1")]
        [InlineData("2026-11-25T13:05:00Z 37 0 99999999999")]     // session id past int
        [InlineData("2026-11-25T13:05:00Z 37 0 ３")]               // a full-width digit
        [InlineData("2026-11-25T13:05:00Z\t37 0 3")]
        [InlineData("{\"IdleTime\":\"00:00:07\"}")]
        public void Rejects_malformed_lines(string line)
        {
            Assert.Null(IdleNow.Parse(line));
        }

        [Fact]
        public void Write_replaces_atomically_and_read_returns_the_write_time()
        {
            using (var dir = new TempDir())
            {
                string path = dir.Path(IdleNow.FileName);
                Assert.True(IdleNow.Write(path, new IdleNow(T, TimeSpan.FromSeconds(5), false, 2)));
                Assert.True(IdleNow.Write(path, new IdleNow(T.AddSeconds(5), TimeSpan.FromSeconds(10), true, 2)));
                Assert.False(File.Exists(path + ".tmp"));
                Assert.Equal("2026-11-25T13:05:05Z 10 1 2\n", File.ReadAllText(path));
                var read = IdleNow.Read(path);
                Assert.True(read.HasValue);
                Assert.Equal(10, read.Value.Sample.IdleSeconds);
                Assert.Equal(DateTimeKind.Utc, read.Value.WrittenUtc.Kind);
                Assert.True(Math.Abs((DateTime.UtcNow - read.Value.WrittenUtc).TotalMinutes) < 5);
            }
        }

        [Fact]
        public void Read_rejects_absent_oversized_and_binary_files()
        {
            using (var dir = new TempDir())
            {
                Assert.Null(IdleNow.Read(dir.Path("absent")));
                Assert.Null(IdleNow.Read(dir.Write("long", "2026-11-25T13:05:00Z 37 0 3" + new string(' ', 100))));
                Assert.Null(IdleNow.Read(dir.WriteBytes("bin", new byte[] { 0xFF, 0xFE, 0x32, 0x00 })));
                Assert.Null(IdleNow.Read(dir.Write("two", "2026-11-25T13:05:00Z 37 0 3\n2026-11-25T13:05:05Z 42 0 3\n")));
            }
        }
    }
}
