using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using AutomateAudit.Testing;

namespace AutomateAudit.PowerShell.Tests
{
    /// <summary>
    /// Another module got there first with an older Microsoft.Extensions.Logging.Abstractions (a
    /// dependency of MySqlConnector). The module must still work. Runs in a clean child process
    /// (aashell: the PowerShell engine and nothing else), as pwsh would.
    /// </summary>
    public class DependencyIsolationTests
    {
        private static string Metadata(string key) =>
            typeof(DependencyIsolationTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value;

        [Fact]
        public void ADatabaseCmdletWorksAfterAnotherModuleLoadedAnOlderCopyOfADependency()
        {
            string older = Path.Combine(Metadata("NuGetPackageRoot"), "microsoft.extensions.logging.abstractions", "6.0.0", "lib", "netstandard2.0", "Microsoft.Extensions.Logging.Abstractions.dll");
            Assert.True(File.Exists(older), "the older dependency was not downloaded: " + older);
            string cs = SharedServer.NewAutomateDatabase("ps_isolation");
            string script = Path.Combine(Path.GetTempPath(), "aa-isolation-" + Guid.NewGuid().ToString("N") + ".ps1");
            File.WriteAllText(script, @"
param($Older, $Manifest, $ConnectionString)
$ErrorActionPreference = 'Stop'
$preloaded = [System.Reflection.Assembly]::LoadFrom($Older)
'preloaded ' + $preloaded.GetName().Version
Import-Module $Manifest
$tables = Install-AuditTable -ConnectionString $ConnectionString -PassThru
'tables ' + @($tables).Count
[System.AppDomain]::CurrentDomain.GetAssemblies() |
    Where-Object { $_.GetName().Name -eq 'Microsoft.Extensions.Logging.Abstractions' } |
    ForEach-Object { 'loaded ' + $_.GetName().Version + ' in ' + [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name }
");
            try
            {
                var info = new ProcessStartInfo("dotnet")
                {
                    RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                };
                foreach (string arg in new[] { RepoPaths.Shell(Metadata("Configuration")), "-File", script, "-Older", older, "-Manifest", RepoPaths.ModuleManifest, "-ConnectionString", cs })
                    info.ArgumentList.Add(arg);
                using var process = Process.Start(info);
                string output = process.StandardOutput.ReadToEnd();
                string errors = process.StandardError.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, "aashell failed:\n" + output + errors);
                Assert.Contains("preloaded 6.0.0.0", output);
                Assert.Contains("tables 8", output);
                Assert.Contains("loaded 6.0.0.0 in Default", output);
                Assert.Contains("loaded 8.0.0.0 in AutomateAudit", output);
            }
            finally
            {
                File.Delete(script);
            }
        }
    }
}
