using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using AutomateAudit.Testing;

namespace AutomateAudit.Benchmarks
{
    /// <summary>
    /// The pinned pwsh as PowerShell's own packages for a platform ship it. The dotnet tool package this repository runs
    /// (`dotnet pwsh`) is a framework-dependent build, which PowerShell's build leaves uncompiled (build.psm1 sets
    /// PublishReadyToRun=false for framework-dependent builds), so every fresh process JIT-compiles PowerShell itself.
    /// The deb, rpm, tar.gz and MSI packages are built for one runtime with ReadyToRun on. This is the same 7.6.9
    /// assemblies, precompiled here with the SDK's ReadyToRun compiler into bench/.../obj/pwsh-ready2run/ (once).
    /// </summary>
    internal static class PrecompiledPwsh
    {
        public static string Prepare()
        {
            string version = Regex.Match(File.ReadAllText(Path.Combine(RepoPaths.Root, ".config", "dotnet-tools.json")),
                "\"powershell\"\\s*:\\s*\\{\\s*\"version\"\\s*:\\s*\"([^\"]+)\"").Groups[1].Value;
            string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            string tool = Path.Combine(packages, "powershell", version, "tools", "net10.0", "any", "unix");
            if (!File.Exists(Path.Combine(tool, "pwsh.dll"))) throw new InvalidOperationException("The pwsh tool package is not restored at " + tool + " (dotnet tool restore).");
            string work = Path.Combine(RepoPaths.Root, "bench", "AutomateAudit.Benchmarks", "obj", "pwsh-ready2run");
            string host = Path.Combine(work, "pwsh-" + version);
            string done = Path.Combine(host, ".ready2run");
            if (File.Exists(done)) return Path.Combine(host, "pwsh.dll");

            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
            string project = Path.Combine(work, "project");
            Directory.CreateDirectory(project);
            // A library that references every assembly of the package: publishing it for this runtime with ReadyToRun
            // precompiles them all.
            var csproj = new StringBuilder("<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><TargetFramework>net10.0</TargetFramework>" +
                "<PublishReadyToRun>true</PublishReadyToRun><SelfContained>false</SelfContained><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>" +
                "<NoWarn>$(NoWarn);MSB3277;NU1603</NoWarn><EnableDefaultCompileItems>false</EnableDefaultCompileItems></PropertyGroup><ItemGroup>");
            foreach (string dll in Directory.GetFiles(tool, "*.dll")) csproj.Append("<Reference Include=\"").Append(dll).Append("\" />");
            csproj.Append("</ItemGroup></Project>");
            File.WriteAllText(Path.Combine(project, "PwshReadyToRun.csproj"), csproj.ToString());
            // Not part of the solution or the repository's build: it lives under obj/, so Directory.Build.props does not reach it.
            File.WriteAllText(Path.Combine(work, "Directory.Build.props"), "<Project />");
            File.WriteAllText(Path.Combine(work, "Directory.Build.targets"), "<Project />");
            File.WriteAllText(Path.Combine(work, "Directory.Packages.props"), "<Project />");
            string output = Path.Combine(work, "out");
            Run("dotnet", "publish", Path.Combine(project, "PwshReadyToRun.csproj"), "-c", "Release", "-r", "linux-x64", "-nologo", "-v:q", "-o", output);

            CopyDirectory(tool, host);
            int precompiled = 0;
            foreach (string dll in Directory.GetFiles(output, "*.dll"))
            {
                string target = Path.Combine(host, Path.GetFileName(dll));
                if (!File.Exists(target) || Path.GetFileName(dll) == "PwshReadyToRun.dll") continue;
                File.Copy(dll, target, overwrite: true);
                precompiled++;
            }
            if (precompiled < 10) throw new InvalidOperationException("Only " + precompiled + " assemblies of pwsh were precompiled.");
            File.WriteAllText(done, precompiled + " assemblies precompiled");
            return Path.Combine(host, "pwsh.dll");
        }

        private static void Run(string file, params string[] args)
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in args) info.ArgumentList.Add(a);
            using var process = Process.Start(info);
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException(file + " " + string.Join(" ", args) + " failed:\n" + output);
        }

        private static void CopyDirectory(string from, string to)
        {
            foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
                Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
            Directory.CreateDirectory(to);
            foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".nupkg", StringComparison.Ordinal)))
                File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
        }
    }
}
