// returnctl: the return pathway from the command line. Dispatch only; the
// commands live in cmd_*.cc.

#include <iostream>
#include <string>
#include <vector>

#include "clients/returnctl/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return returnpath::returnctl::RunReturnctl(args, std::cout, std::cerr);
}
