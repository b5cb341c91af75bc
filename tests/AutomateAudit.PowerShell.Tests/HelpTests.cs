using System.Linq;
using System.Management.Automation;

namespace AutomateAudit.PowerShell.Tests
{
    /// <summary>Like PSScriptAnalyzer's ModuleHelp.Tests.ps1: every cmdlet has real help through Get-Help.</summary>
    public class HelpTests
    {
        [Theory]
        [InlineData("Install-AuditTable")]
        [InlineData("Update-ConnectionAudit")]
        [InlineData("Invoke-DailyRollup")]
        [InlineData("Get-ConnectionReport")]
        [InlineData("Get-ConnectionHistory")]
        [InlineData("Get-UserSession")]
        [InlineData("Save-UserSession")]
        [InlineData("Import-AuditInbox")]
        [InlineData("Get-UserSessionReport")]
        [InlineData("Get-IdleSample")]
        [InlineData("Save-IdleSample")]
        [InlineData("Get-IdleReport")]
        [InlineData("Start-IdleSampler")]
        [InlineData("Register-IdleSampler")]
        [InlineData("Unregister-IdleSampler")]
        [InlineData("Uninstall-AuditTable")]
        [InlineData("Export-AuditReport")]
        public void EveryCmdletHasASynopsisDescriptionExamplesAndParameterHelp(string name)
        {
            using var ps = new PsSession();
            var help = ps.Run("Get-Help -Name $n -Full", ("n", name)).Single();
            string synopsis = help.Properties["Synopsis"].Value?.ToString()?.Trim();
            Assert.False(string.IsNullOrEmpty(synopsis));
            Assert.DoesNotContain(name + " [", synopsis); // not the auto-generated syntax line
            Assert.Contains(ps.Run("(Get-Help -Name $n -Full).Description | ForEach-Object Text", ("n", name)), t => t.ToString().Length > 20);
            Assert.NotEmpty(ps.Run("(Get-Help -Name $n -Full).Examples.Example", ("n", name)));
            var parameters = ps.Run("(Get-Command -Name $n).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and $_ -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters }", ("n", name));
            Assert.NotEmpty(parameters);
            foreach (PSObject parameter in parameters)
            {
                var text = ps.Run("(Get-Help -Name $n -Parameter $p).Description | ForEach-Object Text", ("n", name), ("p", parameter.ToString()));
                Assert.True(text.Any(t => t.ToString().Trim().Length > 10), name + " -" + parameter + " has no help");
            }
        }

        [Fact]
        public void TheAccountingRulesAreAnAboutTopic()
        {
            using var ps = new PsSession();
            string text = string.Join("\n", ps.Run("Get-Help -Name about_AutomateAudit_Accounting").Select(o => o.ToString()));
            Assert.Contains("OfflineAfter", text);
            Assert.Contains("30 minutes apart", text);
        }

        [Fact]
        public void TheModuleHasAnOverviewTopic()
        {
            using var ps = new PsSession();
            string text = string.Join("\n", ps.Run("Get-Help -Name about_AutomateAudit").Select(o => o.ToString()));
            foreach (string part in new[] { "THE THREE SOLUTIONS", "FROM THE ENDPOINT TO THE DATABASE", "SCHEDULING", "GRANTS", "HOSTED AND ON-PREMISES" })
                Assert.Contains(part, text);
        }
    }
}
