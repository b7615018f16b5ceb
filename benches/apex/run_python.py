# Times main() of a benchmark program in-process: prints the result and the median seconds.
import importlib.util, statistics, sys, time

spec = importlib.util.spec_from_file_location("prog", sys.argv[1])
prog = importlib.util.module_from_spec(spec)
spec.loader.exec_module(prog)
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
times = []
result = None
for _ in range(runs):
    t = time.perf_counter()
    result = prog.main()
    times.append(time.perf_counter() - t)
print(result)
print(statistics.median(times))
