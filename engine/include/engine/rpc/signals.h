#ifndef RETURNPATH_ENGINE_RPC_SIGNALS_H_
#define RETURNPATH_ENGINE_RPC_SIGNALS_H_

namespace returnpath::engine {

// Blocks SIGINT and SIGTERM in this and every thread started after it, so
// that WaitForTerminationSignal receives them. Call first thing in main.
void BlockTerminationSignals();

// Waits for SIGINT or SIGTERM and returns its number.
int WaitForTerminationSignal();

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_RPC_SIGNALS_H_
