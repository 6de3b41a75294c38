/* Producers and consumers around one bounded queue, guarded by one mutex and two
 * condition variables: a contended lock whose waiting shows in a trace.
 *
 *   producer_consumer [PRODUCERS] [CONSUMERS] [ITEMS_PER_PRODUCER]   (default 2 2 20000)
 *
 * Prints the number of items consumed and their checksum, which do not depend
 * on the interleaving. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define CAPACITY 16

static struct {
  pthread_mutex_t lock;
  pthread_cond_t not_empty, not_full;
  long items[CAPACITY];
  int head, count;
  int producers_left;
} queue = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0, 0};

static long items_per_producer = 20000;

static void* produce(void* arg) {
  long first = (long)(size_t)arg * items_per_producer;
  for (long i = 0; i < items_per_producer; ++i) {
    pthread_mutex_lock(&queue.lock);
    while (queue.count == CAPACITY) pthread_cond_wait(&queue.not_full, &queue.lock);
    queue.items[(queue.head + queue.count) % CAPACITY] = first + i;
    ++queue.count;
    pthread_cond_signal(&queue.not_empty);
    pthread_mutex_unlock(&queue.lock);
  }
  pthread_mutex_lock(&queue.lock);
  if (--queue.producers_left == 0) pthread_cond_broadcast(&queue.not_empty);
  pthread_mutex_unlock(&queue.lock);
  return NULL;
}

struct tally {
  long count, sum;
};

static void* consume(void* arg) {
  struct tally* t = arg;
  for (;;) {
    pthread_mutex_lock(&queue.lock);
    while (queue.count == 0 && queue.producers_left > 0) pthread_cond_wait(&queue.not_empty, &queue.lock);
    if (queue.count == 0) {
      pthread_mutex_unlock(&queue.lock);
      return NULL;
    }
    long item = queue.items[queue.head];
    queue.head = (queue.head + 1) % CAPACITY;
    --queue.count;
    pthread_cond_signal(&queue.not_full);
    pthread_mutex_unlock(&queue.lock);
    ++t->count;
    t->sum += item % 1000;
  }
}

int main(int argc, char** argv) {
  int producers = argc > 1 ? atoi(argv[1]) : 2;
  int consumers = argc > 2 ? atoi(argv[2]) : 2;
  if (argc > 3) items_per_producer = atol(argv[3]);
  if (producers < 1 || consumers < 1 || items_per_producer < 0) {
    fprintf(stderr, "usage: %s [PRODUCERS] [CONSUMERS] [ITEMS_PER_PRODUCER]\n", argv[0]);
    return 2;
  }
  queue.producers_left = producers;
  pthread_t* threads = calloc((size_t)(producers + consumers), sizeof(pthread_t));
  struct tally* tallies = calloc((size_t)consumers, sizeof(struct tally));
  for (int i = 0; i < producers; ++i) pthread_create(&threads[i], NULL, produce, (void*)(size_t)i);
  for (int i = 0; i < consumers; ++i) pthread_create(&threads[producers + i], NULL, consume, &tallies[i]);
  for (int i = 0; i < producers + consumers; ++i) pthread_join(threads[i], NULL);
  long count = 0, sum = 0;
  for (int i = 0; i < consumers; ++i) {
    count += tallies[i].count;
    sum += tallies[i].sum;
  }
  printf("producer_consumer: %ld items consumed, checksum %ld\n", count, sum);
  free(threads);
  free(tallies);
  return count == producers * items_per_producer ? 0 : 1;
}
