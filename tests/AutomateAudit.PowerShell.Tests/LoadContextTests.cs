using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using AutomateAudit.Testing;

namespace AutomateAudit.PowerShell.Tests
{
    /// <summary>
    /// The staged module's private load context, exercised directly: this test process already holds its own
    /// MySqlConnector 2.0.0.0 in the default context (the test harness uses it), exactly like a session where
    /// another module got there first.
    /// </summary>
    public class LoadContextTests
    {
        private static string Dependencies => Path.Combine(Path.GetDirectoryName(RepoPaths.ModuleManifest), "dependencies");

        private static Type ContextType =>
            AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.Combine(Dependencies, "AutomateAudit.LoadContext.dll"))
                .GetType("AutomateAudit.DependencyLoadContext", throwOnError: true);

        /// <summary>The ReadyToRun copies the build made for this runtime (pwsh 7.6 runs on .NET 10, as this test does).</summary>
        private static string Precompiled => Path.Combine(Dependencies, "ready2run", (string)ContextType.GetMethod("ReadyToRunFolderName").Invoke(null, null));

        private static (AssemblyLoadContext Context, Assembly Engine) LoadEngine(string dependencies = null)
        {
            Type type = ContextType;
            var context = (AssemblyLoadContext)Activator.CreateInstance(type, "AutomateAudit-test-" + Guid.NewGuid().ToString("N"), dependencies ?? Dependencies);
            var engine = (Assembly)type.GetMethod("LoadDependency").Invoke(context, new object[] { "AutomateAudit.Engine" });
            return (context, engine);
        }

        [Fact]
        public void TheEngineBindsTheModulesOwnMySqlConnectorEvenWhenTheDefaultContextHasOne()
        {
            var ours = typeof(MySqlConnector.MySqlConnection).Assembly;
            Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(ours));

            var (context, engine) = LoadEngine();
            Assert.Same(context, AssemblyLoadContext.GetLoadContext(engine));
            AssemblyName reference = engine.GetReferencedAssemblies().Single(a => a.Name == "MySqlConnector");
            Assert.Equal(ours.GetName().Version, reference.Version); // same identity: only the context tells them apart
            Assembly bound = context.LoadFromAssemblyName(reference);
            Assert.NotSame(ours, bound);
            Assert.Same(context, AssemblyLoadContext.GetLoadContext(bound));
            Assert.Equal(Path.Combine(Precompiled, "MySqlConnector.dll"), bound.Location);
            Assembly dapper = context.LoadFromAssemblyName(engine.GetReferencedAssemblies().Single(a => a.Name == "Dapper"));
            Assert.Same(context, AssemblyLoadContext.GetLoadContext(dapper));
        }

        [Fact]
        public void ShimsTheRuntimeProvidesComeFromTheRuntime()
        {
            var (context, _) = LoadEngine();
            Assert.True(File.Exists(Path.Combine(Dependencies, "System.Memory.dll")), "the netstandard2.0 build ships the System.Memory shim");
            Assembly memory = context.LoadFromAssemblyName(new AssemblyName("System.Memory"));
            Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(memory));
            Assert.Same(typeof(Span<byte>).Assembly, typeof(Span<byte>).Assembly); // one Span<T> for everybody
            Assert.NotEqual(Path.Combine(Dependencies, "System.Memory.dll"), memory.Location);
        }
    

        [Fact]
        public void OnThisRuntimeTheEngineAndItsDatabaseLibrariesComePrecompiled()
        {
            Assert.Equal("net" + Environment.Version.Major + ".0-linux-x64", Path.GetFileName(Precompiled));
            var (context, engine) = LoadEngine();
            Assert.Equal(Path.Combine(Precompiled, "AutomateAudit.Engine.dll"), engine.Location);
            foreach (string name in new[] { "AutomateAudit.Engine", "AutomateAudit.Endpoint", "MySqlConnector", "Dapper", "Microsoft.Extensions.Logging.Abstractions" })
            {
                string copy = Path.Combine(Precompiled, name + ".dll");
                Assert.True(IsReadyToRun(copy), copy + " has no precompiled code");
                Assert.False(IsReadyToRun(Path.Combine(Dependencies, name + ".dll")), name + " in dependencies/ should be the plain IL copy (Windows PowerShell 5.1 loads it)");
                // The same assembly, only precompiled: identity and version match the IL copy.
                Assert.Equal(AssemblyName.GetAssemblyName(Path.Combine(Dependencies, name + ".dll")).FullName, AssemblyName.GetAssemblyName(copy).FullName);
            }
            Assert.Equal(Path.Combine(Precompiled, "Dapper.dll"), context.LoadFromAssemblyName(new AssemblyName("Dapper")).Location);
        }

        [Fact]
        public void CopiesPrecompiledForAnotherRuntimeAreIgnored()
        {
            string folder = Path.Combine(Path.GetTempPath(), "aa-deps-" + Guid.NewGuid().ToString("N"));
            try
            {
                Directory.CreateDirectory(folder);
                foreach (string dll in Directory.GetFiles(Dependencies, "*.dll")) File.Copy(dll, Path.Combine(folder, Path.GetFileName(dll)));
                // .NET 8's copies (pwsh 7.4): precompiled code a .NET 10 process would not use.
                string other = Path.Combine(folder, "ready2run", "net8.0-linux-x64");
                Directory.CreateDirectory(other);
                File.Copy(Path.Combine(Precompiled, "AutomateAudit.Engine.dll"), Path.Combine(other, "AutomateAudit.Engine.dll"));
                var (_, engine) = LoadEngine(folder);
                Assert.Equal(Path.Combine(folder, "AutomateAudit.Engine.dll"), engine.Location);
            }
            finally
            {
                try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }

        private static bool IsReadyToRun(string path)
        {
            using var stream = File.OpenRead(path);
            using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
            return pe.PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size > 0;
        }
    }
}
