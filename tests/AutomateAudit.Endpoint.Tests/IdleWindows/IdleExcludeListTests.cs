using System;
using System.IO;
using System.Text;
using AutomateAudit.Endpoint.Idle.Windows;
using AutomateAudit.Endpoint.Tests.Linux;

namespace AutomateAudit.Endpoint.Tests.IdleWindows
{
    public class IdleExcludeListTests
    {
        [Fact]
        public void Parses_users_and_domain_users_skipping_comments_blanks_and_junk()
        {
            var entries = IdleExcludeList.Parse("# kiosks\r\n\r\n  kiosk1  \r\nCONTOSO\\Alice\r\ncontoso\\alice\r\nbad\\too\\many\r\n\\nouser\r\nx:y\r\n");
            Assert.Equal(new[] { "kiosk1", "CONTOSO\\Alice" }, entries);
        }

        [Fact]
        public void Byte_order_mark_and_lf_only()
        {
            Assert.Equal(new[] { "bob" }, IdleExcludeList.Parse("\uFEFFbob\n"));
        }

        [Theory]
        [InlineData("CONTOSO", "alice", true)]   // case-insensitive domain\user
        [InlineData("contoso", "ALICE", true)]
        [InlineData("FABRIKAM", "alice", false)] // another domain's alice
        [InlineData("PC01", "kiosk1", true)]     // a bare name matches in any domain
        [InlineData("CONTOSO", "KIOSK1", true)]
        [InlineData("CONTOSO", "bob", false)]
        [InlineData("CONTOSO", "", false)]
        public void Matching(string domain, string user, bool excluded)
        {
            var entries = IdleExcludeList.Parse("CONTOSO\\alice\nkiosk1\n");
            Assert.Equal(excluded, IdleExcludeList.IsExcluded(entries, domain, user));
        }

        [Theory]
        [InlineData("")]
        [InlineData("a\\b\\c")]
        [InlineData("DOM\\")]
        [InlineData("\\user")]
        [InlineData("us*er")]
        [InlineData("user\nCONTOSO\\admin")]
        [InlineData("..")]
        public void Format_rejects_what_is_not_a_user(string bad)
        {
            Assert.Throws<ArgumentException>(() => IdleExcludeList.Format(new[] { "ok", bad }));
        }

        [Fact]
        public void Write_then_read_round_trips_and_empty_deletes()
        {
            using (var dir = new TempDir())
            {
                string path = dir.Path(Path.Combine("ProgramData", "AutomateAudit", IdleExcludeList.FileName));
                IdleExcludeList.Write(path, new[] { " kiosk1 ", "CONTOSO\\alice", "KIOSK1" });
                Assert.Equal(new[] { "kiosk1", "CONTOSO\\alice" }, IdleExcludeList.Read(path));
                Assert.False(File.Exists(path + ".tmp"));
                Assert.StartsWith("#", File.ReadAllText(path));

                IdleExcludeList.Write(path, new string[0]);
                Assert.False(File.Exists(path));
                Assert.Empty(IdleExcludeList.Read(path));
            }
        }

        [Fact]
        public void Invalid_write_changes_nothing()
        {
            using (var dir = new TempDir())
            {
                string path = dir.Write("idle-exclude.txt", "bob\r\n");
                Assert.Throws<ArgumentException>(() => IdleExcludeList.Write(path, new[] { "alice", "a\\b\\c" }));
                Assert.Equal(new[] { "bob" }, IdleExcludeList.Read(path));
            }
        }

        [Fact]
        public void Reads_a_utf16_file_an_administrator_saved_from_notepad()
        {
            using (var dir = new TempDir())
            {
                string path = dir.Path("idle-exclude.txt");
                File.WriteAllText(path, "CONTOSO\\Jörg\r\n", Encoding.Unicode);
                Assert.True(IdleExcludeList.IsExcluded(IdleExcludeList.Read(path), "contoso", "JÖRG"));
            }
        }

        [Fact]
        public void Missing_or_oversized_file_excludes_nobody()
        {
            using (var dir = new TempDir())
            {
                Assert.Empty(IdleExcludeList.Read(dir.Path("none.txt")));
                string big = dir.Write("big.txt", "alice\n" + new string('#', IdleExcludeList.MaxFileBytes));
                Assert.Empty(IdleExcludeList.Read(big));
            }
        }
    }
}
