using AutomateAudit.Endpoint.Platform.Linux;

namespace AutomateAudit.Endpoint.Tests.Linux
{
    public sealed class LinuxMachineInfoTests
    {
        // Shaped after what public scripts read from /usr/local/ltechagent/state (computer_id, last_contact{...},
        // last_good_server_url, version, is_signed_in); the other keys of the real file are unknown.
        private const string StateJson =
            "{\n  \"computer_id\": 1234,\n  \"is_signed_in\": true,\n  \"last_contact\": {\"day_of_month\": 9, \"hour\": 14, \"min\": 3, " +
            "\"month\": 6, \"sec\": 27, \"year\": 2024},\n  \"last_good_server_url\": \"https://automate.example.com\",\n  \"version\": \"230.105\"\n}\n";

        [Fact]
        public void ShortHostNameFromProc()
        {
            using var dir = new TempDir();
            dir.Write("proc/sys/kernel/hostname", "web01.example.com\n");
            var info = new LinuxMachineInfo(dir.Path("proc"), dir.Path("agent"));
            Assert.Equal("web01", info.ComputerName);
            Assert.Null(info.AgentId);
        }

        [Fact]
        public void FallsBackToTheRuntimeMachineName()
        {
            using var dir = new TempDir();
            var info = new LinuxMachineInfo(dir.Path("proc"), dir.Path("agent"));
            Assert.Equal(LinuxMachineInfo.ShortName(System.Environment.MachineName), info.ComputerName);
        }

        [Fact]
        public void AgentIdFromTheStateFile()
        {
            using var dir = new TempDir();
            dir.Write("agent/state", StateJson);
            Assert.Equal(1234, new LinuxMachineInfo(dir.Path("proc"), dir.Path("agent")).AgentId);
        }

        [Fact]
        public void AgentIdFromTheBackupWhenTheStateFileIsBroken()
        {
            using var dir = new TempDir();
            dir.Write("agent/state", "{\"computer_id\": ");
            dir.Write("agent/state_old", StateJson.Replace("1234", "77"));
            Assert.Equal(77, LtechAgentState.ReadComputerId(dir.Path("agent")));
        }

        [Theory]
        [InlineData("{\"computer_id\":42}", 42)]
        [InlineData("{\"computer_id\" : \"42\"}", 42)]
        [InlineData("{\"computer_id\": 0}", null)]
        [InlineData("{\"computer_id\": -1}", null)]
        [InlineData("{\"computer_id\": 99999999999}", null)]
        [InlineData("{\"location_id\": 3}", null)]
        [InlineData("", null)]
        [InlineData(null, null)]
        public void ParsesTheComputerIdTolerantly(string text, int? expected)
        {
            Assert.Equal(expected, LtechAgentState.ParseComputerId(text));
        }

        [Fact]
        public void NoAgentGivesNull()
        {
            using var dir = new TempDir();
            Assert.Null(LtechAgentState.ReadComputerId(dir.Path("nothing-here")));
            Assert.Null(LtechAgentState.ReadComputerId(null));
        }
    }
}
