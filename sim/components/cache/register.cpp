// The cache registers its reader, its model, the cache-aside client driver
// and the metrics of the database load behind it.
#include "components/cache/spec.hpp"
#include "model/cache.hpp"
#include "model/registry.hpp"

#include <algorithm>

namespace faultlab::components {

void register_cache() {
  using namespace faultlab::model;
  scenario::ComponentTypes::instance().add("cache", &scenario::read_cache,
                                            {"cache_hit_ratio", "db_reads", "db_reads_peak_per_s"});
  ModelType type;
  type.make = [](const scenario::ComponentSpec& spec, Components&, Context& context) -> std::unique_ptr<ComponentModel> {
    return std::make_unique<CacheModel>(dynamic_cast<const scenario::Cache&>(spec), context);
  };
  type.make_driver = [](const scenario::Client& client, const scenario::ComponentSpec& target, Components& components,
                        Context& context, int node, util::Rng& rng) -> std::unique_ptr<ClientDriver> {
    const CacheModel& cache = components.get<CacheModel>(target.name);
    return std::make_unique<CacheAsideClient>(client, context, node, rng, cache,
                                              components.get<ReplicaGroupModel>(cache.spec().database));
  };
  type.metrics = [](const ModelStats& stats, std::vector<std::pair<std::string, double>>& metrics) {
    const double lookups = static_cast<double>(stats.cache_hits + stats.cache_misses);
    metrics.emplace_back("cache_hit_ratio", lookups > 0 ? static_cast<double>(stats.cache_hits) / lookups : 0.0);
    std::vector<double> reads = stats.database_read_times_s;
    metrics.emplace_back("db_reads", static_cast<double>(reads.size()));
    // The database's busiest second, as the applications loaded it.
    std::sort(reads.begin(), reads.end());
    std::size_t peak = 0;
    for (std::size_t i = 0, j = 0; j < reads.size(); ++j) {
      while (reads[j] - reads[i] >= 1.0) ++i;
      peak = std::max(peak, j - i + 1);
    }
    metrics.emplace_back("db_reads_peak_per_s", static_cast<double>(peak));
  };
  ModelTypes::instance().add("cache", std::move(type));
}

} // namespace faultlab::components
