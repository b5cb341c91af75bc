using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using AutomateAudit.Testing;

namespace AutomateAudit.PowerShell.Tests
{
    public class ModuleTests
    {
        private static readonly string[] Cmdlets =
            { "Export-AuditReport", "Get-ConnectionHistory", "Get-ConnectionReport", "Get-IdleReport", "Get-IdleSample", "Get-UserSession", "Get-UserSessionReport", "Import-AuditInbox", "Install-AuditTable", "Invoke-DailyRollup", "Register-IdleSampler", "Save-IdleSample", "Save-UserSession", "Start-IdleSampler", "Uninstall-AuditTable", "Unregister-IdleSampler", "Update-ConnectionAudit" };

        [Fact]
        public void TheModuleImportsAndExportsExactlyItsCmdlets()
        {
            using var ps = new PsSession();
            var names = ps.Run("Get-Command -Module AutomateAudit | ForEach-Object Name").Select(o => o.ToString()).OrderBy(n => n).ToArray();
            Assert.Equal(Cmdlets, names);
        }

        [Fact]
        public void TheManifestDeclaresBothEditionsAndExplicitExports()
        {
            var ast = System.Management.Automation.Language.Parser.ParseFile(RepoPaths.ModuleManifest, out _, out var parseErrors);
            Assert.Empty(parseErrors);
            var manifest = (Hashtable)((System.Management.Automation.Language.HashtableAst)ast.Find(a => a is System.Management.Automation.Language.HashtableAst, false)).SafeGetValue();
            Assert.Equal(new object[] { "Desktop", "Core" }, (object[])manifest["CompatiblePSEditions"]);
            Assert.Equal("5.1", manifest["PowerShellVersion"]);
            var exported = ((object[])manifest["CmdletsToExport"]).Cast<string>().OrderBy(n => n).ToArray();
            Assert.Equal(Cmdlets, exported);
            Assert.DoesNotContain(exported, n => n.Contains('*'));
            Assert.Contains("AutomateAudit.Format.ps1xml", ((object[])manifest["FormatsToProcess"]).Cast<string>());
        }

        private static readonly string[] EndpointCmdlets = { "Get-UserSession", "Get-IdleSample", "Start-IdleSampler", "Register-IdleSampler", "Unregister-IdleSampler" };

        [Fact]
        public void EveryGetCmdletDeclaresItsOutputTypeAndEveryWriterSupportsWhatIf()
        {
            using var ps = new PsSession();
            foreach (string name in Cmdlets)
            {
                var info = (CmdletInfo)ps.Run("Get-Command -Name $n", ("n", name)).Single().BaseObject;
                if (name.StartsWith("Get-", StringComparison.Ordinal)) Assert.NotEmpty(info.OutputType);
                else if (name != "Start-IdleSampler") Assert.True(info.Parameters.ContainsKey("WhatIf") && info.Parameters.ContainsKey("Confirm"), name + " lacks -WhatIf/-Confirm");
                if (EndpointCmdlets.Contains(name))
                {
                    // The endpoint cmdlets: no database parameters at all.
                    Assert.False(info.Parameters.ContainsKey("ConnectionString") || info.Parameters.ContainsKey("Server"), name);
                    continue;
                }
                Assert.True(info.Parameters.ContainsKey("ConnectionString"), name);
                Assert.Equal(typeof(PSCredential), info.Parameters["Credential"].ParameterType);
            }
        }

        [Fact]
        public void TheDependenciesLiveInASubfolderNotBesideTheModule()
        {
            string folder = System.IO.Path.GetDirectoryName(RepoPaths.ModuleManifest);
            Assert.True(System.IO.File.Exists(System.IO.Path.Combine(folder, "dependencies", "MySqlConnector.dll")));
            Assert.False(System.IO.File.Exists(System.IO.Path.Combine(folder, "MySqlConnector.dll")));
        }
    }
}
