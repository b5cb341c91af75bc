using AutomateAudit.Endpoint;
using AutomateAudit.Endpoint.Idle.Linux;
using AutomateAudit.Endpoint.Tests.Linux;

namespace AutomateAudit.Endpoint.Tests.IdleLinux
{
    public sealed class LinuxAdminGroupsTests
    {
        private const string Passwd =
            "root:x:0:0:root:/root:/bin/bash\n" +
            "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n" +
            "# a comment\n" +
            "\n" +
            "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n" +
            "bob:x:1001:1001::/home/bob:/bin/bash\n" +
            "carol:x:1002:10:Carol:/home/carol:/bin/bash\n" +   // primary group wheel
            "toor:x:0:0:second root:/root:/bin/sh\n" +
            "erin:x:1004:1004::/home/erin:/bin/bash\r\n" +
            "broken:x:notanumber:1::/:/bin/false\n" +
            "+nisuser::::::\n";

        private const string Group =
            "root:x:0:\n" +
            "wheel:x:10:\n" +
            "sudo:x:27:alice,erin\r\n" +
            "admin:x:115: dave , frank@example.com\n" +
            "users:x:100:bob\n" +
            "alice:x:1000:\n";

        private static LinuxAdminGroups Admins() =>
            new LinuxAdminGroups(LinuxAdminGroups.ParsePasswd(Passwd), LinuxAdminGroups.ParseGroup(Group));

        [Theory]
        [InlineData("root", true)]      // uid 0
        [InlineData("toor", true)]      // uid 0 under another name
        [InlineData("alice", true)]     // listed in sudo
        [InlineData("erin", true)]      // listed in sudo (CRLF line)
        [InlineData("carol", true)]     // primary group wheel
        [InlineData("dave", true)]      // listed in admin, not in passwd (a directory account)
        [InlineData("bob", false)]      // local, in no admin group
        [InlineData("daemon", false)]
        [InlineData("mallory", null)]   // not a local account: unknown
        [InlineData("broken", null)]    // malformed line skipped
        [InlineData("Alice", null)]     // names are case-sensitive
        [InlineData("", null)]
        public void IsAdmin(string user, bool? expected) => Assert.Equal(expected, Admins().IsAdmin(user));

        [Fact]
        public void ParsersKeepTheFields()
        {
            var users = LinuxAdminGroups.ParsePasswd(Passwd);
            Assert.Equal(new[] { "root", "daemon", "alice", "bob", "carol", "toor", "erin" }, users.ConvertAll(u => u.Name));
            Assert.Equal(10, users[4].Gid);
            var groups = LinuxAdminGroups.ParseGroup(Group);
            Assert.Equal(new[] { "dave", "frank@example.com" }, groups.Find(g => g.Name == "admin").Members);
            Assert.Empty(groups.Find(g => g.Name == "wheel").Members);
        }

        [Fact]
        public void MissingFilesMeanUnknown()
        {
            using var dir = new TempDir();
            var admins = LinuxAdminGroups.Load(dir.Path("passwd"), dir.Path("group"));
            Assert.Null(admins.IsAdmin("root"));
            dir.Write("passwd", Passwd);
            dir.Write("group", Group);
            Assert.True(LinuxAdminGroups.Load(dir.Path("passwd"), dir.Path("group")).IsAdmin("alice"));
        }

        [Fact]
        public void DirectoryAccountsAreLookedUpByTheirFullName()
        {
            var admins = Admins();
            UserSession S(string user, string domain) => new UserSession { ComputerName = "testhost", UserName = user, Domain = domain };
            Assert.True(LinuxIdleProbe.IsAdmin(admins, S("alice", "testhost")));
            Assert.True(LinuxIdleProbe.IsAdmin(admins, S("frank", "example.com")));
            Assert.Null(LinuxIdleProbe.IsAdmin(admins, S("alice", "example.com"))); // not the local alice
            Assert.Null(LinuxIdleProbe.IsAdmin(admins, S(null, null)));
        }
    }
}
