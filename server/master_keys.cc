#include "server/master_keys.h"

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"

namespace returnpath::engine {

absl::StatusOr<LoadedMasterKeys> LoadMasterKeys(
    const MasterKeySources& sources) {
  const bool from_environment =
      sources.environment.has_value() && !sources.environment->empty();
  if (from_environment && !sources.file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("both --master_key_file and ", kMasterKeyVariable,
                     " give a master key: give one"));
  }
  LoadedMasterKeys loaded;
  MasterKey current;
  if (from_environment) {
    RP_ASSIGN_OR_RETURN(
        current,
        MasterKeyFromText(*sources.environment,
                          absl::StrCat("environment ", kMasterKeyVariable)));
  } else if (!sources.file.empty()) {
    RP_ASSIGN_OR_RETURN(current, ReadMasterKeyFile(sources.file));
  } else {
    const std::string path = absl::StrCat(sources.data_dir, "/master.key");
    std::error_code error;
    if (!std::filesystem::exists(path, error) && !error) {
      RP_ASSIGN_OR_RETURN(current, CreateMasterKeyFile(path));
      loaded.created = path;
    } else {
      RP_ASSIGN_OR_RETURN(current, ReadMasterKeyFile(path));
    }
  }
  std::vector<MasterKey> previous;
  for (const std::string& file : sources.previous_files) {
    RP_ASSIGN_OR_RETURN(MasterKey key, ReadMasterKeyFile(file));
    previous.push_back(std::move(key));
  }
  loaded.keyring =
      std::make_shared<MasterKeyring>(std::move(current), std::move(previous));
  return loaded;
}

}  // namespace returnpath::engine
