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

        private static (AssemblyLoadContext Context, Assembly Engine) LoadEngine()
        {
            var loader = AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.Combine(Dependencies, "AutomateAudit.LoadContext.dll"));
            Type type = loader.GetType("AutomateAudit.DependencyLoadContext", throwOnError: true);
            var context = (AssemblyLoadContext)Activator.CreateInstance(type, "AutomateAudit-test-" + Guid.NewGuid().ToString("N"), Dependencies);
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
            Assert.Equal(Path.Combine(Dependencies, "MySqlConnector.dll"), bound.Location);
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
    }
}
